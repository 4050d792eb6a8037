namespace Flaat.Entitlements;

// The reader. aarc-entitlement matches the value against a backtracking regular expression; this
// reader finds the same parts without backtracking, in a few linear passes:
//   1. "urn:", the namespace id (anything up to the first ':'), then the leading run of "clean"
//      segments (non-empty, without '?' or '#'): only they can form the rest of a namespace.
//   2. G069 only: the first segment that is not clean may be the last namespace segment followed by
//      RFC 8141 components (?+r ?=q #f); if ":group:" follows them and the rest is valid, that is the
//      reading (the regex's greedy subnamespaces try it first).
//   3. Otherwise the namespace ends at one of the ":group:" inside the clean run. The regex takes the
//      rightmost one whose rest is valid; one right-to-left pass over the segments finds it.
// The rest after ":group:" is: the group, then subgroups up to the first segment that starts with
// "role=" and has text after it (the role, which runs to the '#'), then an optional '#' authority
// (any text without a line break; required by G002 strict). The first '#' after the namespace ends
// the groups, because groups and roles cannot contain '#'.
public sealed partial class AarcEntitlement
{
    private enum ParseError
    {
        None,
        Null,
        Empty,
        TooLong,
        UnknownSpec,
        NoUrnPrefix,
        EmptyNamespaceId,
        NoDelegatedNamespace,
        NoGroup,
        NoAuthority,
        EmptyAuthority,
        LineBreakInAuthority,
        EmptyGroup,
        EmptySubgroup,
    }

    private const string GroupLiteral = ":group:";
    private const string RolePrefix = "role=";

    private static ParseError Read(string? value, AarcSpec spec, out AarcEntitlement? entitlement, out int position)
    {
        entitlement = null;
        position = -1;
        if (value is null)
        {
            return ParseError.Null;
        }

        if (value.Length == 0)
        {
            return ParseError.Empty;
        }

        if (value.Length > MaxLength)
        {
            return ParseError.TooLong;
        }

        if (spec is not (AarcSpec.G069 or AarcSpec.G002 or AarcSpec.G002Strict))
        {
            return ParseError.UnknownSpec;
        }

        var g069 = spec == AarcSpec.G069;
        var strict = spec == AarcSpec.G002Strict;
        var s = g069 ? value : PercentEncoding.Decode(value);
        if (!HasUrnPrefix(s, g069))
        {
            position = 0;
            return ParseError.NoUrnPrefix;
        }

        var namespaceIdEnd = s.IndexOf(':', NamespaceIdStart);
        if (namespaceIdEnd == NamespaceIdStart)
        {
            position = NamespaceIdStart;
            return ParseError.EmptyNamespaceId;
        }

        var start = namespaceIdEnd + 1;
        if (namespaceIdEnd < 0 || start == s.Length || s[start] is ':' or '?' or '#')
        {
            position = namespaceIdEnd < 0 ? s.Length : start;
            return ParseError.NoDelegatedNamespace;
        }

        // 1. The leading run of clean segments, and the head of the first segment that is not clean.
        var cleanEnd = -1;
        var headStart = 0;
        var headEnd = 0;
        var segmentStart = start;
        while (true)
        {
            var stop = s.AsSpan(segmentStart).IndexOfAny(':', '?', '#');
            stop = stop < 0 ? s.Length : segmentStart + stop;
            if (stop == segmentStart)
            {
                break;
            }

            if (stop == s.Length || s[stop] == ':')
            {
                cleanEnd = stop;
                if (stop == s.Length)
                {
                    break;
                }

                segmentStart = stop + 1;
                continue;
            }

            (headStart, headEnd) = (segmentStart, stop);
            break;
        }

        // 2. G069: a namespace whose last segment carries RFC 8141 components.
        var componentError = ParseError.None;
        var componentPosition = -1;
        if (g069 && headEnd > headStart)
        {
            var componentsEnd = s.IndexOf(':', headEnd);
            componentsEnd = componentsEnd < 0 ? s.Length : componentsEnd;
            if (AreUrnComponents(s.AsSpan(headEnd, componentsEnd - headEnd))
                && s.AsSpan(componentsEnd).StartsWith(GroupLiteral, StringComparison.Ordinal))
            {
                var groupStart = componentsEnd + GroupLiteral.Length;
                var bodyEnd = s.IndexOf('#', groupStart);
                bodyEnd = bodyEnd < 0 ? s.Length : bodyEnd;
                componentError = CheckAuthority(s, bodyEnd, strict, out componentPosition);
                if (componentError == ParseError.None)
                {
                    componentError = ScanGroups(s, groupStart, bodyEnd, out _, out _, out _, out componentPosition);
                }

                if (componentError == ParseError.None)
                {
                    entitlement = Create(spec, s, namespaceIdEnd, headEnd, groupStart, bodyEnd);
                    return ParseError.None;
                }
            }
        }

        // 3. A namespace of clean segments: the rightmost ":group:" in the run whose rest is valid.
        var groupsEnd = s.IndexOf('#', start);
        groupsEnd = groupsEnd < 0 ? s.Length : groupsEnd;
        var authorityError = CheckAuthority(s, groupsEnd, strict, out var authorityPosition);
        var firstCandidate = -1;
        var segmentEnd = groupsEnd;
        var restIsValid = false; // whether the segments right of the current one are valid subgroups/role
        var isLast = true;
        while (true)
        {
            var colon = s.AsSpan(start, segmentEnd - start).LastIndexOf(':');
            segmentStart = colon < 0 ? start : start + colon + 1;
            var validAsGroup = segmentEnd > segmentStart && (isLast || restIsValid);
            var literal = segmentStart - GroupLiteral.Length;
            if (literal > start && literal <= cleanEnd
                && s.AsSpan(literal, GroupLiteral.Length).SequenceEqual(GroupLiteral))
            {
                if (validAsGroup && authorityError == ParseError.None)
                {
                    entitlement = Create(spec, s, namespaceIdEnd, literal, segmentStart, groupsEnd);
                    return ParseError.None;
                }

                firstCandidate = firstCandidate < 0 ? segmentStart : firstCandidate;
            }

            restIsValid = validAsGroup || IsRoleAt(s, segmentStart, groupsEnd);
            isLast = false;
            if (colon < 0)
            {
                break;
            }

            segmentEnd = segmentStart - 1;
        }

        // Nothing fits: explain the failure of the reading the regex would have tried first.
        if (componentError != ParseError.None)
        {
            position = componentPosition;
            return componentError;
        }

        if (firstCandidate < 0)
        {
            return ParseError.NoGroup;
        }

        if (authorityError != ParseError.None)
        {
            position = authorityPosition;
            return authorityError;
        }

        return ScanGroups(s, firstCandidate, groupsEnd, out _, out _, out _, out position);
    }

    private static bool HasUrnPrefix(string s, bool anyCase) =>
        s.Length > NamespaceIdStart && s[3] == ':' && (anyCase
            ? (s[0] | 0x20) == 'u' && (s[1] | 0x20) == 'r' && (s[2] | 0x20) == 'n'
            : s.StartsWith("urn", StringComparison.Ordinal));

    // RFC 8141 r-, q- and f-components, each optional, in this order: ?+r ?=q #f (no ':' in any).
    private static bool AreUrnComponents(ReadOnlySpan<char> s)
    {
        if (s.StartsWith("?+"))
        {
            var end = s[2..].IndexOfAny('?', '#');
            end = end < 0 ? s.Length : end + 2;
            if (end == 2)
            {
                return false;
            }

            s = s[end..];
        }

        if (s.StartsWith("?="))
        {
            var end = s[2..].IndexOf('#');
            end = end < 0 ? s.Length : end + 2;
            if (end == 2)
            {
                return false;
            }

            s = s[end..];
        }

        return s.IsEmpty || (s[0] == '#' && s.Length > 1);
    }

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

    private static string Describe(string value, AarcSpec spec, ParseError error, int position)
    {
        var name = spec switch
        {
            AarcSpec.G069 => "AARC-G069",
            AarcSpec.G002 => "AARC-G002",
            _ => "strict AARC-G002",
        };
        var reason = error switch
        {
            ParseError.Empty => "it is empty",
            ParseError.TooLong => $"it is longer than {MaxLength} characters",
            ParseError.NoUrnPrefix => spec == AarcSpec.G069
                ? "it must start with 'urn:' (in any case) followed by a namespace id"
                : "it must start with lower-case 'urn:' followed by a namespace id",
            ParseError.EmptyNamespaceId => "the namespace id after 'urn:' is empty",
            ParseError.NoDelegatedNamespace => "the namespace id must be followed by ':' and a delegated namespace that does not start with ':', '?' or '#'",
            ParseError.NoGroup => spec == AarcSpec.G069
                ? "it has no ':group:<group>' after a valid namespace (namespace parts must be non-empty, without '?' or '#' except RFC 8141 ?+, ?= and # components after the last one)"
                : "it has no ':group:<group>' after a valid namespace (namespace parts must be non-empty, without '?' or '#')",
            ParseError.NoAuthority => "strict AARC-G002 requires a group authority ('#<authority>') at the end",
            ParseError.EmptyAuthority => "the group authority after '#' is empty",
            ParseError.LineBreakInAuthority => "the group authority contains a line break",
            ParseError.EmptyGroup => "the group after ':group:' is empty",
            ParseError.EmptySubgroup => "a subgroup is empty ('::' or a trailing ':')",
            _ => error.ToString(),
        };

        const int Shown = 200;
        var shown = value.Length <= Shown ? value : string.Concat(value.AsSpan(0, Shown), "...");
        var where = position < 0 ? string.Empty
            : spec != AarcSpec.G069 && !ReferenceEquals(PercentEncoding.Decode(value), value)
                ? $" (at index {position} of the percent-decoded value)"
                : $" (at index {position})";
        return $"'{shown}' is not a valid {name} entitlement: {reason}{where}.";
    }
}
