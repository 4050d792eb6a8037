namespace Flaat.Entitlements;

// From a valid reading (see AarcEntitlement.Parsing.cs) to an instance: the normalised text and the
// ends of its parts.
public sealed partial class AarcEntitlement
{
    // Builds the entitlement from a valid reading: the namespace is [start of namespace id, namespaceEnd),
    // the groups are [groupStart, groupsEnd), and anything after groupsEnd is '#' and the authority.
    private static AarcEntitlement Create(AarcSpec spec, string s, int namespaceIdEnd, int namespaceEnd, int groupStart, int groupsEnd)
    {
        _ = ScanGroups(s, groupStart, groupsEnd, out var groupEnd, out var roleStart, out var subgroupCount, out _);
        var delegatedNamespaceEnd = NextColon(s, namespaceIdEnd + 1, namespaceEnd);
        var subnamespaceCount = s.AsSpan(delegatedNamespaceEnd, namespaceEnd - delegatedNamespaceEnd).Count(':');

        // In the normalised text the groups move left by the length of the dropped RFC 8141 components.
        var shift = groupStart - GroupLiteral.Length - namespaceEnd;
        var text = spec == AarcSpec.G069 ? NormaliseG069(s, namespaceEnd, groupStart - GroupLiteral.Length) : s;

        var ends = subnamespaceCount + subgroupCount == 0 ? [] : new int[subnamespaceCount + subgroupCount];
        var i = 0;
        for (var colon = delegatedNamespaceEnd; colon < namespaceEnd; i++)
        {
            colon = NextColon(s, colon + 1, namespaceEnd);
            ends[i] = colon;
        }

        var subgroupsEnd = roleStart < 0 ? groupsEnd : roleStart - RoleLiteralLength;
        for (var colon = groupEnd; colon < subgroupsEnd; i++)
        {
            colon = NextColon(s, colon + 1, subgroupsEnd);
            ends[i] = colon - shift;
        }

        return new AarcEntitlement(
            spec,
            text,
            namespaceIdEnd,
            delegatedNamespaceEnd,
            subnamespaceCount,
            groupEnd - shift,
            roleStart < 0 ? -1 : roleStart - shift,
            groupsEnd - shift,
            ends);
    }

    // "urn:" and the namespace lower-cased, the components between namespaceEnd and groupLiteral dropped,
    // and percent-encodings in the groups, role and authority with upper-case hex digits.
    private static string NormaliseG069(string s, int namespaceEnd, int groupLiteral)
    {
        var prefix = s.AsSpan(0, namespaceEnd);
        var rest = s.AsSpan(groupLiteral);
        if (namespaceEnd == groupLiteral && !NeedsLowerCasing(prefix) && !PercentEncoding.HasLowerCaseEscape(rest))
        {
            return s;
        }

        return string.Create(namespaceEnd + rest.Length, (s, namespaceEnd, groupLiteral), static (text, state) =>
        {
            _ = state.s.AsSpan(0, state.namespaceEnd).ToLowerInvariant(text);
            PercentEncoding.CopyWithUpperCaseEscapes(state.s.AsSpan(state.groupLiteral), text[state.namespaceEnd..]);
        });
    }

    // Conservative: any non-ASCII character sends the text through the invariant lower-casing.
    // (A plain loop: MemoryExtensions.ContainsAnyInRange allocates on some code paths.)
    private static bool NeedsLowerCasing(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (char.IsAsciiLetterUpper(c) || !char.IsAscii(c))
            {
                return true;
            }
        }

        return false;
    }
}
