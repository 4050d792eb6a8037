namespace Flaat.Testing;

/// <summary>Settings of a <see cref="FakeOpenIdProvider"/>, read once by <see cref="FakeOpenIdProvider.Start(FakeOpenIdProviderOptions?)"/>.</summary>
public sealed class FakeOpenIdProviderOptions
{
    /// <summary>
    /// A path the issuer ends with, such as <c>/realms/research</c>; empty (the default) for an
    /// issuer that is just <c>http://127.0.0.1:PORT</c>. All endpoints live below it.
    /// </summary>
    public string PathPrefix { get; set; } = string.Empty;

    /// <summary>
    /// The client id that may call the introspection endpoint (HTTP Basic). Introspection is
    /// enabled, and advertised in discovery, only when both this and <see cref="ClientSecret"/> are set.
    /// It is also the default <c>client_id</c> of minted tokens. Default: <see langword="null"/>.
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>
    /// The port on 127.0.0.1 the provider listens on, for an issuer URL that must be known before
    /// it starts (an <c>appsettings.json</c>, a second process). Default 0: a free port chosen by the
    /// system, which is what tests running in parallel want. A port in use makes
    /// <see cref="FakeOpenIdProvider.Start(FakeOpenIdProviderOptions?)"/> throw.
    /// </summary>
    public int Port { get; set; }

    /// <summary>The client secret that goes with <see cref="ClientId"/>. Default: <see langword="null"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// The signing algorithms the provider has keys for and publishes in its JWKS, in that order
    /// (after the encryption key, which is always listed first). Supported: <c>RS256</c>,
    /// <c>ES256</c>, <c>EdDSA</c>. Default: all three. A 2048-bit RSA key costs up to a few hundred
    /// milliseconds to generate on a busy machine; leave out <c>RS256</c> where speed matters.
    /// </summary>
    public IList<string> SigningAlgorithms { get; set; } = [FakeSigningKey.RS256, FakeSigningKey.ES256, FakeSigningKey.EdDSA];

    /// <summary>
    /// The clock for <c>iat</c>, <c>nbf</c> and <c>exp</c> of minted tokens and for expiry checks at
    /// userinfo and introspection. Share a <c>FakeTimeProvider</c> with the code under test to move
    /// time in tests. Default: <see cref="TimeProvider.System"/>. Delays from
    /// <see cref="FakeOpenIdProvider.SimulateSlow"/> are always real time.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
