namespace Flaat.Requirements;

/// <summary>
/// The per-issuer audience settings behind <see cref="Require.IssuerSupportsAudience(FlaatOptions)"/>:
/// its predicate is this object's <see cref="Supports"/>, so <see cref="HasAudience"/> finds the
/// WLCG "any" audience opt-in (<see cref="IssuerOptions.AcceptWlcgAnyAudience"/>) through the same
/// function it already receives, without a second parameter on every audience factory.
/// </summary>
internal sealed class IssuerAudiences
{
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _unsupported;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _anyAudience;

    public IssuerAudiences(HashSet<string> unsupported, HashSet<string> anyAudience)
    {
        _unsupported = unsupported.GetAlternateLookup<ReadOnlySpan<char>>();
        _anyAudience = anyAudience.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Whether the issuer's audiences are checked.</summary>
    public bool Supports(string issuer) => !_unsupported.Contains(issuer.AsSpan().TrimEnd('/'));

    /// <summary>Whether the issuer opted in to the WLCG "any" audience.</summary>
    public bool AcceptsWlcgAnyAudience(string issuer) => _anyAudience.Contains(issuer.AsSpan().TrimEnd('/'));

    /// <summary>The opt-in of the issuer, read from a predicate built by <see cref="Require.IssuerSupportsAudience(FlaatOptions)"/>; none for any other predicate.</summary>
    public static bool AcceptsWlcgAnyAudience(Func<string, bool>? issuerSupportsAudience, string issuer) =>
        issuerSupportsAudience?.Target is IssuerAudiences settings && settings.AcceptsWlcgAnyAudience(issuer);
}
