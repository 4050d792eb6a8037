namespace Flaat.Entitlements;

// Why a value is not an entitlement, and the message that says so.
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
