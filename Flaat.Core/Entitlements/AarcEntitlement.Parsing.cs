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
}
