namespace Flaat;

/// <summary>
/// Flaat's settings, bindable from the configuration section <c>Flaat</c> (appsettings.json,
/// environment variables such as <c>Flaat__TrustedIssuers__0</c>) as well as set in code.
/// Validated at start-up; every invalid setting is named in the error.
/// </summary>
public sealed class FlaatOptions
{
    /// <summary>The configuration section Flaat binds from by default.</summary>
    public const string SectionName = "Flaat";

    /// <summary>The issuer URLs whose tokens are accepted (flaat's <c>set_trusted_OP_list</c>). A trailing slash is ignored.</summary>
    public IList<string> TrustedIssuers { get; set; } = new List<string>();

    /// <summary>A pinned issuer (flaat's <c>set_issuer</c>): every token is checked against it only; a JWT from another issuer is rejected.</summary>
    public string? Issuer { get; set; }

    /// <summary>The client id used for token introspection at every issuer without its own (flaat's <c>set_client_id</c>).</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret used for token introspection at every issuer without its own (flaat's <c>set_client_secret</c>).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>Per-issuer settings; an entry's credentials win over the global ones. A list because configuration keys cannot hold URLs.</summary>
    public IList<IssuerOptions> Issuers { get; set; } = new List<IssuerOptions>();

    /// <summary>The time limit of one request to an OP (flaat's <c>set_request_timeout</c>). Default 1.2 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(1.2);

    /// <summary>Whether OP TLS certificates are verified (flaat's <c>set_verify_tls</c>). Default <see langword="true"/>; turn off only for tests.</summary>
    public bool VerifyTls { get; set; } = true;

    /// <summary>Whether JWT access tokens are verified (flaat's <c>set_verify_jwt</c>). Default <see langword="true"/>.</summary>
    public bool VerifyJwt { get; set; } = true;

    /// <summary>The tolerance when checking a JWT's <c>exp</c> and <c>nbf</c>. Default 30 s.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether <c>http://</c> issuers other than loopback ones are allowed. Default <see langword="false"/>.</summary>
    public bool AllowInsecureHttpIssuers { get; set; }

    /// <summary>
    /// Offline JWT mode (flaat issue #7): a verified JWT's own claims are enough, and the OP's
    /// userinfo (and introspection) is asked only when a requirement is not met by them. Needs
    /// <see cref="VerifyJwt"/>. Opaque tokens are unaffected. Default <see langword="false"/>
    /// (always ask userinfo, as flaat does).
    /// </summary>
    public bool TokenClaimsSuffice { get; set; }

    /// <summary>Cache settings.</summary>
    public FlaatCacheOptions Cache { get; set; } = new();

    /// <summary>Settings for finding the issuer of an opaque token by asking the trusted OPs.</summary>
    public FlaatProbingOptions Probing { get; set; } = new();

    /// <summary>Retry and circuit-breaker settings of the calls to OPs.</summary>
    public FlaatResilienceOptions Resilience { get; set; } = new();

    /// <summary>Limits on the OPs' signing keys and on the signature checks one token may cause.</summary>
    public FlaatKeyOptions Keys { get; set; } = new();

    /// <summary>
    /// The audiences this API answers to (<c>Flaat:Audiences</c>). When set, a JWT access token is
    /// accepted only if its <c>aud</c> (a string or an array) contains one of them, whether or not
    /// the OP is asked about the token; otherwise it is refused with 401 "Token is not for this
    /// API's audience". An issuer's own <see cref="IssuerOptions.Audiences"/> replace this list for
    /// its tokens, and an issuer with <see cref="IssuerOptions.SupportsAudience"/> off is not
    /// checked. Opaque tokens carry no audience and are not affected. Compared exactly
    /// (case-sensitive). Default empty: audiences are not checked.
    /// </summary>
    public IList<string> Audiences { get; set; } = new List<string>();

    /// <summary>Sender-constrained tokens (DPoP, RFC 9449): modes, algorithms, proof lifetime, nonces.</summary>
    public FlaatDpopOptions Dpop { get; set; } = new();
}

/// <summary>Settings for one issuer (an entry of <see cref="FlaatOptions.Issuers"/>).</summary>
public sealed class IssuerOptions
{
    /// <summary>The issuer URL these settings apply to (trailing slash ignored). It is trusted too.</summary>
    public string Issuer { get; set; } = string.Empty;

    /// <summary>The client id for token introspection at this issuer.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret for token introspection at this issuer.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// Whether this issuer issues only JWT access tokens; such an issuer is not sent opaque tokens
    /// when probing. Default <see langword="false"/>.
    /// </summary>
    public bool IssuesJwt { get; set; }

    /// <summary>
    /// Whether this issuer puts meaningful <c>aud</c> claims into tokens. When <see langword="false"/>,
    /// audience requirements are satisfied with a warning (flaat's behaviour); default
    /// <see langword="true"/>: audiences are checked.
    /// </summary>
    public bool SupportsAudience { get; set; } = true;

    /// <summary>
    /// The JOSE <c>typ</c> values accepted for this issuer's JWT access tokens in offline mode
    /// (<see cref="FlaatOptions.TokenClaimsSuffice"/>), e.g. <c>JWT</c> for an OP that does not
    /// follow RFC 9068 (<c>Flaat:Issuers:N:AccessTokenTypes</c>). Compared as media types:
    /// case-insensitive, <c>application/</c> implied. Default empty: RFC 9068's <c>at+jwt</c>
    /// (<c>application/at+jwt</c>) only. A token without <c>typ</c> is never accepted offline.
    /// </summary>
    public IList<string> AccessTokenTypes { get; set; } = new List<string>();

    /// <summary>
    /// The audiences this API answers to for this issuer's tokens; when not empty they replace
    /// <see cref="FlaatOptions.Audiences"/> for this issuer (<c>Flaat:Issuers:N:Audiences</c>).
    /// Needs <see cref="SupportsAudience"/>. Default empty: the global list applies.
    /// </summary>
    public IList<string> Audiences { get; set; } = new List<string>();

    /// <summary>
    /// Whether a token of this issuer whose <c>aud</c> is the WLCG Common JWT Profile's "any"
    /// audience (<c>https://wlcg.cern.ch/jwt/v1/any</c>) counts as meant for every audience this API
    /// checks (<see cref="FlaatOptions.Audiences"/>, <see cref="Audiences"/>, audience requirements);
    /// honoured only when the token also claims a known <c>wlcg.ver</c>
    /// (<c>Flaat:Issuers:N:AcceptWlcgAnyAudience</c>). Default <see langword="false"/>: such a token
    /// must name one of this API's audiences like any other (some OPs put the "any" audience into
    /// every token by default).
    /// </summary>
    public bool AcceptWlcgAnyAudience { get; set; }

    /// <summary>
    /// How this issuer's tokens may be presented (<c>Flaat:Issuers:N:Dpop</c>); replaces
    /// <see cref="FlaatDpopOptions.Mode"/> for them. Default <see langword="null"/>: the global mode.
    /// </summary>
    public DpopMode? Dpop { get; set; }
}

/// <summary>A named access level defined in configuration.</summary>
public sealed class AccessLevelOptions
{
    /// <summary>What is checked: <c>claim</c>, <c>vo</c> (groups or AARC entitlements), <c>audience</c>, <c>authenticated</c> or <c>scope</c>.</summary>
    public string Kind { get; set; } = "claim";

    /// <summary>The claim to check (for <c>claim</c> and <c>vo</c>; <c>vo</c> defaults to <c>eduperson_entitlement</c>).</summary>
    public string? Claim { get; set; }

    /// <summary>The required values.</summary>
    public IList<string> Values { get; set; } = new List<string>();

    /// <summary>
    /// How many values must be matched: <c>all</c>, <c>one</c>, or a number. Default (<see langword="null"/>):
    /// <c>all</c>, except for <c>audience</c> where one of the listed audiences suffices, as in flaat.
    /// </summary>
    public string? Match { get; set; }
}

/// <summary>Cache settings (see <see cref="FlaatOptions.Cache"/>).</summary>
public sealed class FlaatCacheOptions
{
    /// <summary>The most user infos kept (one entry per token). Default 10 000.</summary>
    public int MaxUserInfos { get; set; } = 10_000;

    /// <summary>The longest a user infos entry is kept, even for a token valid for longer. Default 5 minutes.</summary>
    public TimeSpan MaxUserInfosLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a rejected token is remembered, so a flood of it costs one OP call. Default 10 s.</summary>
    public TimeSpan RejectionLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an issuer's discovery document is kept. Default 1 hour.</summary>
    public TimeSpan IssuerConfigurationLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most token → issuer entries kept (opaque tokens). Default 10 000.</summary>
    public int MaxTokenIssuers { get; set; } = 10_000;

    /// <summary>
    /// How long the issuer found for an opaque token by probing is remembered (by the token's
    /// SHA-256), so that the token is not shown to the other OPs again. Default 1 hour.
    /// </summary>
    public TimeSpan TokenIssuerLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long an issuer's last good discovery document is served while the OP cannot be reached,
    /// before it is asked again. Default 10 s.
    /// </summary>
    public TimeSpan StaleConfigurationLifetime { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The shortest time between two JWKS refreshes of one issuer triggered by unknown key ids. Default 30 s.</summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Settings for probing: an opaque token's issuer is found by sending it to the userinfo endpoint
/// of every trusted OP that does not issue only JWTs. Note that this shows the token to each of them.
/// </summary>
public sealed class FlaatProbingOptions
{
    /// <summary>Whether probing is done at all. Default <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How many OPs are asked at once. Default 8.</summary>
    public int MaxParallelism { get; set; } = 8;

    /// <summary>The time limit of the whole probe. Default 3 s.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How many tokens may be probed at once, across all requests; each probe asks up to
    /// <see cref="MaxParallelism"/> OPs at once. A token that would exceed it is refused (401)
    /// without any OP call, and the refusal is not remembered, so the token may be tried again at
    /// once. Default 16 (with the default parallelism, at most 128 probing calls in flight).
    /// </summary>
    public int MaxConcurrentProbes { get; set; } = 16;

    /// <summary>
    /// How many tokens may start probing per second, across all requests (a token bucket that holds
    /// one second's worth). Probing costs a call to every candidate OP per unknown token, so this
    /// caps what a flood of made-up opaque tokens can send to the OPs. The excess is refused (401)
    /// without any OP call and without being remembered. Default 20.
    /// </summary>
    public int MaxProbesPerSecond { get; set; } = 20;
}

/// <summary>Resilience settings of the calls to OPs (see <see cref="FlaatOptions.Resilience"/>).</summary>
public sealed class FlaatResilienceOptions
{
    /// <summary>How often an idempotent GET (discovery, JWKS) is retried on a transient failure. Default 1.</summary>
    public int MaxRetries { get; set; } = 1;

    /// <summary>How many failures in a row open an issuer's circuit. Default 5.</summary>
    public int CircuitBreakerFailureThreshold { get; set; } = 5;

    /// <summary>How long an open circuit fails fast before the OP is tried again. Default 15 s.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>Limits on signing keys (see <see cref="FlaatOptions.Keys"/>), configuration section <c>Flaat:Keys</c>.</summary>
public sealed class FlaatKeyOptions
{
    /// <summary>The smallest RSA key (modulus bits) used to verify a signature; smaller keys in a JWKS are left out. Default 2048, at least 1024.</summary>
    public int MinimumRsaKeySize { get; set; } = 2048;

    /// <summary>The most usable keys kept of one JWKS, in document order; the rest are ignored (and logged). Default 100.</summary>
    public int MaxKeysPerSet { get; set; } = 100;

    /// <summary>
    /// The most keys one token's signature is tried against. A token without <c>kid</c> for which
    /// more keys fit is refused (401), so a kid-less token cannot cost a check per key. Default 3.
    /// </summary>
    public int MaxSignatureAttempts { get; set; } = 3;
}
