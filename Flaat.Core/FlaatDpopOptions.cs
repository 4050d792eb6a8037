namespace Flaat;

/// <summary>Which presentations of an access token are accepted (RFC 9449 DPoP against RFC 6750 bearer).</summary>
public enum DpopMode
{
    /// <summary>The <c>DPoP</c> scheme is refused; bearer tokens only (a DPoP-bound token is still refused as a bearer token).</summary>
    Disabled,

    /// <summary>Both schemes are accepted: a DPoP-bound token with a valid proof, an unbound token as a bearer token.</summary>
    Allowed,

    /// <summary>Only DPoP-bound tokens with a valid proof are accepted; bearer tokens are refused.</summary>
    Required,
}

/// <summary>Sender-constrained tokens (DPoP, RFC 9449): the <c>Flaat:Dpop</c> section.</summary>
public sealed class FlaatDpopOptions
{
    /// <summary>The algorithms accepted by default: asymmetric only (never <c>none</c> or HMAC).</summary>
    public static IReadOnlyList<string> DefaultAlgorithms { get; } = ["ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512", "EdDSA"];

    /// <summary>
    /// Which schemes are accepted (<c>Flaat:Dpop:Mode</c>); default <see cref="DpopMode.Allowed"/>.
    /// An issuer's <see cref="IssuerOptions.Dpop"/> replaces it for that issuer's tokens, and an
    /// endpoint's own mode (policy builder or attribute) replaces both.
    /// </summary>
    public DpopMode Mode { get; set; } = DpopMode.Allowed;

    /// <summary>
    /// The proof signature algorithms accepted (<c>Flaat:Dpop:Algorithms</c>), announced in the
    /// challenge's <c>algs</c>. Default empty: <see cref="DefaultAlgorithms"/>. Only asymmetric JWS
    /// algorithms Flaat verifies are allowed here.
    /// </summary>
    public IList<string> Algorithms { get; set; } = new List<string>();

    /// <summary>
    /// How long a proof is accepted after its <c>iat</c> (<c>Flaat:Dpop:ProofLifetime</c>), the edge
    /// included; its <c>jti</c> is remembered until then. Default 60 seconds; from 1 second to 1 hour.
    /// </summary>
    public TimeSpan ProofLifetime { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How far a proof's <c>iat</c> may lie in the future, for a client whose clock runs fast
    /// (<c>Flaat:Dpop:ClockSkew</c>; RFC 9449 section 11.1 asks for a short window). Default 5 seconds;
    /// from 0 to 5 minutes.
    /// </summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether every proof must carry a nonce this server issued (<c>Flaat:Dpop:RequireNonce</c>,
    /// RFC 9449 section 8): a proof without one is refused with <c>use_dpop_nonce</c> and a fresh
    /// nonce in the <c>DPoP-Nonce</c> header. Default <see langword="false"/>.
    /// </summary>
    public bool RequireNonce { get; set; }

    /// <summary>
    /// The public origin of this API (<c>Flaat:Dpop:PublicOrigin</c>, e.g. <c>https://api.example.org</c>)
    /// when it runs behind a proxy that does not forward its scheme and host: a proof's <c>htu</c>
    /// is then compared with this origin and the request's path. Default <see langword="null"/>:
    /// the request's own scheme and host (as the forwarded headers middleware sets them, when used).
    /// </summary>
    public string? PublicOrigin { get; set; }

    /// <summary>
    /// The most proof identifiers (<c>jti</c>) the in-memory replay cache keeps
    /// (<c>Flaat:Dpop:MaxReplayEntries</c>); when full of live entries, proofs are answered 503
    /// (the server cannot check them now) rather than risk a replay. Default 100 000.
    /// </summary>
    public int MaxReplayEntries { get; set; } = 100_000;

    /// <summary>
    /// The most proofs one key (one client's DPoP key) may have remembered within a proof's lifetime
    /// (<c>Flaat:Dpop:MaxProofsPerKey</c>); beyond it that key's proofs are refused with 401
    /// <c>invalid_dpop_proof</c> (its client's fault), while other keys go on until the cache's own
    /// limit. Counted per window of the proof lifetime, so up to twice this many may be live at once.
    /// Default <see langword="null"/>: <see cref="MaxReplayEntries"/> / 20 (5 000), so filling the
    /// cache takes at least ten flooding keys, each needing its own bound token from a trusted OP.
    /// </summary>
    public int? MaxProofsPerKey { get; set; }

    /// <summary>The divisor of the default <see cref="MaxProofsPerKey"/>.</summary>
    internal const int KeysToFillReplayCache = 20;
}

/// <summary>The start-up checks of <see cref="FlaatDpopOptions"/>, called by <see cref="FlaatOptionsValidator"/>.</summary>
internal static class FlaatDpopOptionsValidator
{
    private const string Path = FlaatOptions.SectionName + ":Dpop:";

    public static void Validate(List<string> errors, FlaatOptions options)
    {
        if (options.Dpop is not { } dpop)
        {
            errors.Add($"{FlaatOptions.SectionName}:Dpop is missing.");
            return;
        }

        if (!Enum.IsDefined(dpop.Mode))
        {
            errors.Add($"{Path}Mode must be Disabled, Allowed or Required, not {dpop.Mode}.");
        }

        for (var i = 0; i < (dpop.Algorithms?.Count ?? 0); i++)
        {
            var algorithm = dpop.Algorithms![i];
            if (algorithm is null || !FlaatDpopOptions.DefaultAlgorithms.Contains(algorithm))
            {
                errors.Add($"{Path}Algorithms:{i} '{algorithm}' is not accepted: use asymmetric JWS algorithms ({string.Join(", ", FlaatDpopOptions.DefaultAlgorithms)}); never none or HMAC.");
            }
        }

        if (dpop.ProofLifetime < TimeSpan.FromSeconds(1) || dpop.ProofLifetime > TimeSpan.FromHours(1))
        {
            errors.Add($"{Path}ProofLifetime must be between {TimeSpan.FromSeconds(1)} and {TimeSpan.FromHours(1)}, not {dpop.ProofLifetime}.");
        }

        if (dpop.ClockSkew < TimeSpan.Zero || dpop.ClockSkew > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{Path}ClockSkew must be between {TimeSpan.Zero} and {TimeSpan.FromMinutes(5)}, not {dpop.ClockSkew}.");
        }

        if (dpop.MaxReplayEntries < 1)
        {
            errors.Add($"{Path}MaxReplayEntries must be at least 1, not {dpop.MaxReplayEntries}.");
        }

        if (dpop.MaxProofsPerKey is < 1)
        {
            errors.Add($"{Path}MaxProofsPerKey must be at least 1, not {dpop.MaxProofsPerKey}.");
        }

        if (dpop.PublicOrigin is { } origin
            && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
                || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0))
        {
            errors.Add($"{Path}PublicOrigin '{origin}' is not an origin such as https://api.example.org (scheme, host and optional port; no path, query or fragment).");
        }

        var issuers = options.Issuers ?? [];
        for (var i = 0; i < issuers.Count; i++)
        {
            if (issuers[i]?.Dpop is { } mode && !Enum.IsDefined(mode))
            {
                errors.Add($"{FlaatOptions.SectionName}:Issuers:{i}:Dpop must be Disabled, Allowed or Required, not {mode}.");
            }
        }
    }
}
