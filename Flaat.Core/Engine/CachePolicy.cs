using Flaat.Caching;

namespace Flaat.Engine;

/// <summary>
/// What the engine keeps of a token's outcome, and for how long: a success until the token expires
/// (its JWT <c>exp</c>, or the introspection <c>exp</c>) or <see cref="FlaatCacheOptions.MaxUserInfosLifetime"/>
/// passes, whichever is first; a rejection for <see cref="FlaatCacheOptions.RejectionLifetime"/>;
/// an outage or a configuration fault not at all. And which kept outcome may answer a request: one
/// stored under this engine's <see cref="Fingerprint"/>, current, and (read from outside) passing
/// <see cref="OutcomeRules"/>.
/// </summary>
internal sealed class CachePolicy(FlaatCacheOptions options, OfflineMode offline, string fingerprint, Func<string, bool> trusts, TimeSpan clockSkew)
{
    private readonly TimeSpan _maxLifetime = options.MaxUserInfosLifetime;
    private readonly TimeSpan _rejectionLifetime = options.RejectionLifetime;
    private readonly OutcomeRules _rules = new(trusts, clockSkew, options.MaxUserInfosLifetime, options.RejectionLifetime);

    /// <summary>The engine's <see cref="ConfigurationFingerprint"/>, written into every outcome it stores.</summary>
    public string Fingerprint { get; } = fingerprint;

    /// <summary>Whether an outcome was stored under this engine's settings (a pointer compare for its own outcomes).</summary>
    public bool IsOurs(TokenOutcome outcome) =>
        ReferenceEquals(outcome.ConfigurationFingerprint, Fingerprint)
        || string.Equals(outcome.ConfigurationFingerprint, Fingerprint, StringComparison.Ordinal);

    /// <summary>The result a kept outcome answers this request with at <paramref name="now"/>; <see langword="null"/> when it does not (a miss).</summary>
    public AuthenticationResult? Serve(TokenOutcome outcome, AuthenticationRequest request, DateTimeOffset now) =>
        IsOurs(outcome) && outcome.ExpiresAt > now && Serves(outcome, request) ? outcome.ResultAt(now, _rules) : null;

    /// <summary>Whether a kept outcome answers this request (offline mode, and the issuer hint).</summary>
    public static bool Serves(TokenOutcome outcome, AuthenticationRequest request) =>
        OfflineMode.Serves(outcome.IsTokenOnly, request)
        && (request.IssuerHint is not { } hint || IssuerUrl.AreSame(hint, outcome.Issuer));

    /// <summary>Until when the outcome of a load is kept; <see langword="null"/> when it is not kept.</summary>
    public DateTimeOffset? KeepUntil(TokenLoad load, AuthenticationRequest request, DateTimeOffset now) => load.Result switch
    {
        { UserInfos: { } infos } => Earliest(load.TokenExpiresAt, Earliest(infos.ExpiresAt, now + _maxLifetime)),
        _ when offline.KeepsTokenOnlySuccess(request, load.Result) => null,
        // A refusal for want of probing budget says nothing about the token: not remembered.
        _ when load.Forget => null,
        // A rejection under an issuer hint may be the hint's fault ("issued by X, not by the
        // expected issuer"): remembered for the token, it would refuse (or replace the success of)
        // requests without that hint.
        { Error.StatusCode: 401 } when request.IssuerHint is not null => null,
        // A rejection is remembered briefly; an outage or a configuration fault is not.
        { Error.StatusCode: 401 } => now + _rejectionLifetime,
        _ => null,
    };

    private static DateTimeOffset Earliest(DateTimeOffset? first, DateTimeOffset second) =>
        first is { } value && value < second ? value : second;
}

/// <summary>
/// The outcome of one load: the result, the issuer it came from (for issuer hints), the JWT's own
/// <c>exp</c> (the cache never outlives it, whatever post-processors did to the claims), and whether
/// the result must be forgotten (a refusal that says nothing about the token).
/// </summary>
internal readonly record struct TokenLoad(AuthenticationResult Result, string? Issuer = null, DateTimeOffset? TokenExpiresAt = null, bool Forget = false)
{
    public static TokenLoad Failed(FlaatError error, bool forget = false) => new(AuthenticationResult.Failure(error), Forget: forget);
}
