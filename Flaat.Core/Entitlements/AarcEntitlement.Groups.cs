namespace Flaat.Entitlements;

// The rest after ":group:": "group[:subgroup]*[:role=role]", then an optional '#' authority.
public sealed partial class AarcEntitlement
{
    private static ParseError CheckAuthority(string s, int groupsEnd, bool required, out int position)
    {
        position = groupsEnd;
        if (groupsEnd == s.Length)
        {
            return required ? ParseError.NoAuthority : ParseError.None;
        }

        if (groupsEnd == s.Length - 1)
        {
            return ParseError.EmptyAuthority;
        }

        position = s.IndexOf('\n', groupsEnd + 1);
        return position < 0 ? ParseError.None : ParseError.LineBreakInAuthority;
    }

    private static bool IsRoleAt(string s, int segmentStart, int groupsEnd) =>
        segmentStart + RolePrefix.Length < groupsEnd
        && s.AsSpan(segmentStart, RolePrefix.Length).SequenceEqual(RolePrefix);

    // Reads "group[:subgroup]*[:role=role]" in [groupStart, groupsEnd).
    private static ParseError ScanGroups(
        string s, int groupStart, int groupsEnd, out int groupEnd, out int roleStart, out int subgroupCount, out int position)
    {
        roleStart = -1;
        subgroupCount = 0;
        groupEnd = NextColon(s, groupStart, groupsEnd);
        position = groupStart;
        if (groupEnd == groupStart)
        {
            return ParseError.EmptyGroup;
        }

        for (var colon = groupEnd; colon < groupsEnd; subgroupCount++)
        {
            var segmentStart = colon + 1;
            if (IsRoleAt(s, segmentStart, groupsEnd))
            {
                roleStart = segmentStart + RolePrefix.Length;
                break;
            }

            colon = NextColon(s, segmentStart, groupsEnd);
            if (colon == segmentStart)
            {
                position = segmentStart;
                return ParseError.EmptySubgroup;
            }
        }

        position = -1;
        return ParseError.None;
    }

    private static int NextColon(string s, int from, int end)
    {
        var colon = s.AsSpan(from, end - from).IndexOf(':');
        return colon < 0 ? end : from + colon;
    }
}
