namespace Flaat.Testing;

/// <summary>How <see cref="FakeOpenIdProvider.CreateJwt(FakeUser, FakeTokenOptions?)"/> mints a JWT access token.</summary>
public sealed class FakeTokenOptions
{
    /// <summary>The signing algorithm: <c>RS256</c> (default), <c>ES256</c> or <c>EdDSA</c>; the provider must have a key for it.</summary>
    public string Algorithm { get; set; } = FakeSigningKey.RS256;

    /// <summary>Whether the header names the key with <c>kid</c>. Default: <see langword="true"/>.</summary>
    public bool IncludeKeyId { get; set; } = true;

    /// <summary>The time from issue to expiry, when <see cref="ExpiresAt"/> is not set. Default: one hour.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The <c>iat</c> claim. Default: <see langword="null"/>, the provider's current time.</summary>
    public DateTimeOffset? IssuedAt { get; set; }

    /// <summary>The <c>exp</c> claim. Default: <see langword="null"/>, <c>iat</c> plus <see cref="Lifetime"/>.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Whether the token has an <c>exp</c> claim at all. Default: <see langword="true"/>.</summary>
    public bool IncludeExpiry { get; set; } = true;

    /// <summary>The <c>nbf</c> claim. Default: <see langword="null"/>, no <c>nbf</c>.</summary>
    public DateTimeOffset? NotBefore { get; set; }

    /// <summary>The audiences: none (default) omits <c>aud</c>, one gives a string, more give an array.</summary>
    public IList<string> Audiences { get; } = [];

    /// <summary>The <c>scope</c> claim (space separated). Default: <see langword="null"/>, no scope.</summary>
    public string? Scope { get; set; }

    /// <summary>The <c>client_id</c> claim. Default: <see langword="null"/>, the provider's <see cref="FakeOpenIdProviderOptions.ClientId"/> if any.</summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// The <c>iss</c> claim. Default: <see langword="null"/>, the provider's <see cref="FakeOpenIdProvider.Issuer"/>.
    /// Set it to mint a token that claims another issuer.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>Whether the user's <see cref="FakeUser.Claims"/> go into the token. Default: <see langword="false"/> (they come from userinfo).</summary>
    public bool IncludeUserClaims { get; set; }

    /// <summary>
    /// Further payload claims (also reported by introspection); they replace standard claims of the
    /// same name, and a <see langword="null"/> value removes the claim, e.g. <c>["iat"] = null</c>.
    /// </summary>
    public IDictionary<string, object?> Claims { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>
    /// Further header parameters; they replace <c>alg</c>, <c>typ</c> or <c>kid</c> of the same name
    /// (the token is still signed with the key of <see cref="Algorithm"/>), for crafting bad tokens;
    /// a <see langword="null"/> value removes the parameter.
    /// </summary>
    public IDictionary<string, object?> HeaderParameters { get; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>
    /// Binds the token to a client's DPoP key (RFC 9449): the JWT and the introspection answer carry
    /// <c>cnf.jkt</c>, introspection says <c>token_type: DPoP</c>, and userinfo refuses the token
    /// (as real OPs do without a proof of the client's key). <see langword="null"/> (the default): a bearer token.
    /// </summary>
    public FakeDpopKey? DpopKey { get; set; }
}
