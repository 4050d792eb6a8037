using Flaat.Diagnostics;
using Flaat.Errors;
using Flaat.Http;

namespace Flaat.Tokens;

/// <summary>
/// The signing keys of one JWKS URI, for code that verifies tokens on its own (outside a request,
/// or with its own JWT library) — flaat's <c>FlaatPyJWKClient</c>. It uses the engine's own key
/// handling: only signing keys are kept (<c>use</c> = <c>sig</c> or absent; encryption keys such as
/// Keycloak's are skipped, as are unsupported or broken keys), the key type is inferred from the
/// algorithm (RS/PS → RSA, ES → EC on the matching curve, EdDSA → OKP Ed25519), and the OP is
/// called through the engine's resilience pipeline (per-attempt timeout, retries, circuit breaker).
/// </summary>
/// <remarks>
/// <para>
/// HMAC algorithms (<c>HS*</c>) never get a key from a JWKS: a shared secret published in a public
/// document is no secret, and accepting one would let anyone sign tokens.
/// </para>
/// <para>
/// The key set is cached for <c>keysLifetime</c>; a token naming a <c>kid</c> the cached set lacks
/// triggers one fresh fetch (the OP may have rotated its keys), at most once per
/// <see cref="FlaatCacheOptions.JwksRefreshInterval"/>. Thread-safe.
/// </para>
/// </remarks>
public sealed partial class FlaatJwksClient : IDisposable, ISigningKeySource
{
    private static readonly TimeSpan DefaultKeysLifetime = new FlaatCacheOptions().IssuerConfigurationLifetime;

    private readonly Uri _jwksUri;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly OpClient _client;
    private readonly OpTarget _target;
    private readonly TimeProvider _time;
    private readonly TimeSpan _keysLifetime;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeSpan _clockSkew;
    private readonly KeyLimits _keyLimits;
    private volatile PublishedKeys? _cached;

    /// <summary>Creates a client for one JWKS URI.</summary>
    /// <param name="jwksUri">The JWKS URI (an OP's <c>jwks_uri</c>).</param>
    /// <param name="options">
    /// Engine settings used here: <see cref="FlaatOptions.RequestTimeout"/>, <see cref="FlaatOptions.Resilience"/>,
    /// <see cref="FlaatOptions.ClockSkew"/>, <see cref="FlaatOptions.Keys"/> and <see cref="FlaatCacheOptions.JwksRefreshInterval"/>; defaults when <see langword="null"/>.
    /// </param>
    /// <param name="keysLifetime">How long a fetched key set is used; default one hour. <see cref="TimeSpan.Zero"/> fetches on every call.</param>
    /// <param name="httpClient">The HTTP client; when <see langword="null"/> the client builds and owns one.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    public FlaatJwksClient(Uri jwksUri, FlaatOptions? options = null, TimeSpan? keysLifetime = null, HttpClient? httpClient = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(jwksUri);
        if (!jwksUri.IsAbsoluteUri)
        {
            throw new ArgumentException("The JWKS URI must be absolute.", nameof(jwksUri));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(keysLifetime ?? TimeSpan.Zero, TimeSpan.Zero, nameof(keysLifetime));
        options ??= new FlaatOptions();
        _jwksUri = jwksUri;
        _time = timeProvider ?? TimeProvider.System;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? FlaatHttp.CreateClient(options.VerifyTls);
        _client = new OpClient(_http, options, _time, FlaatTelemetry.Shared);
        _target = new OpTarget(jwksUri.GetLeftPart(UriPartial.Authority), _client.CreatePipeline());
        _keysLifetime = keysLifetime ?? DefaultKeysLifetime;
        _refreshInterval = options.Cache.JwksRefreshInterval;
        _clockSkew = options.ClockSkew;
        _keyLimits = KeyLimits.From(options.Keys ?? new FlaatKeyOptions());
    }

    /// <summary>The JWKS URI this client reads.</summary>
    public Uri JwksUri => _jwksUri;

    /// <summary>The usable signing keys, in the order of the JWKS (flaat's <c>get_signing_keys</c>).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The keys; encryption and unusable keys are left out.</returns>
    /// <exception cref="FlaatUnavailableException">The JWKS could not be fetched (503).</exception>
    /// <exception cref="FlaatException">The URI answered with an error or with something that is not a key set (500).</exception>
    public async Task<IReadOnlyList<FlaatSigningKey>> GetSigningKeysAsync(CancellationToken cancellationToken = default)
    {
        var keys = await GetKeysAsync(null, cancellationToken).ConfigureAwait(false);
        return keys.TryGetValue(out var current, out var error) ? current.Public : throw error.ToException();
    }

    /// <summary>The signing key with a key id (flaat's <c>get_signing_key</c>).</summary>
    /// <param name="keyId">The <c>kid</c>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The key.</returns>
    /// <exception cref="FlaatUnauthenticatedException">No signing key has this id, even after a refresh.</exception>
    public async Task<FlaatSigningKey> GetSigningKeyAsync(string keyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyId);
        var keys = (await GetKeysAsync(keyId, cancellationToken).ConfigureAwait(false)).ThrowIfFailed();
        foreach (var key in keys.Public)
        {
            if (key.KeyId == keyId)
            {
                return key;
            }
        }

        throw new FlaatUnauthenticatedException($"No signing key with id '{ErrorText.Shorten(keyId)}' found at {_jwksUri}");
    }

    /// <summary>
    /// The first signing key that can verify <paramref name="algorithm"/>, its type inferred from the
    /// algorithm (flaat's <c>get_signing_key_by_alg</c>).
    /// </summary>
    /// <param name="algorithm">The JWS algorithm, e.g. <c>RS256</c>, <c>ES256</c>, <c>EdDSA</c>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The key.</returns>
    /// <exception cref="FlaatUnauthenticatedException">The algorithm is not accepted (<c>none</c>, <c>HS*</c>), or no key fits it.</exception>
    public async Task<FlaatSigningKey> GetSigningKeyByAlgorithmAsync(string algorithm, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(algorithm);
        var keys = await KeysForAsync(null, algorithm, cancellationToken).ConfigureAwait(false);
        return keys.PublicOf(keys.Set.Fitting(null, algorithm)[0]);
    }

    /// <summary>
    /// The key a JWT names (flaat's <c>get_signing_key_from_jwt</c>): by <c>kid</c> when the header
    /// has one (the key must also fit the token's <c>alg</c>), otherwise by the algorithm.
    /// </summary>
    /// <param name="token">A compact JWS.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The key.</returns>
    /// <exception cref="FlaatUnauthenticatedException">The token is not a JWT, its algorithm is not accepted, or no key fits.</exception>
    public async Task<FlaatSigningKey> GetSigningKeyFromJwtAsync(string token, CancellationToken cancellationToken = default)
    {
        var jwt = Decode(token);
        var keys = await KeysForAsync(jwt.KeyId, jwt.Algorithm, cancellationToken).ConfigureAwait(false);
        return keys.PublicOf(keys.Set.Fitting(jwt.KeyId, jwt.Algorithm)[0]);
    }

    /// <summary>
    /// Verifies a JWT's signature with these keys (every key that fits is tried, up to
    /// <see cref="FlaatKeyOptions.MaxSignatureAttempts"/>, as the engine does) and its <c>exp</c>/<c>nbf</c>
    /// with <see cref="FlaatOptions.ClockSkew"/>. The token must be a well-formed JWT in its one canonical
    /// spelling, without <c>crit</c> (see the engine's rules). Issuer, audience and other claims are the
    /// caller's to check.
    /// </summary>
    /// <param name="token">A compact JWS.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The token's header, body and signature, marked as verified with its algorithm.</returns>
    /// <exception cref="FlaatUnauthenticatedException">The token is not a valid, current JWT signed by one of these keys.</exception>
    /// <exception cref="FlaatUnavailableException">The JWKS could not be fetched (503).</exception>
    public async Task<AccessTokenInfo> VerifyAsync(string token, CancellationToken cancellationToken = default)
    {
        var jwt = Decode(token);
        var error = JwtValidator.CheckClaims(jwt, _time.GetUtcNow(), _clockSkew, policy: null, requireAccessToken: false)
            ?? await JwtValidator.VerifySignatureAsync(jwt, this, cancellationToken).ConfigureAwait(false);
        return error is null ? jwt.ToAccessTokenInfo(jwt.Algorithm) : throw error.ToException();
    }

    /// <summary>Releases the HTTP client this instance built.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static DecodedJwt Decode(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var decoded = DecodedJwt.Decode(token);
        return decoded.TryGetValue(out var jwt, out var error)
            ? jwt ?? throw new FlaatUnauthenticatedException("Token is not a JWT")
            : throw error.ToException();
    }

    /// <summary>The keys fitting a kid (or none) and an algorithm; throws when there is none.</summary>
    private async Task<PublishedKeys> KeysForAsync(string? keyId, string algorithm, CancellationToken cancellationToken)
    {
        if (SigningAlgorithms.Refusal(algorithm) is { } refusal)
        {
            throw new FlaatUnauthenticatedException(refusal);
        }

        var keys = (await GetKeysAsync(keyId, cancellationToken).ConfigureAwait(false)).ThrowIfFailed();
        if (keys.Set.Fitting(keyId, algorithm).Count == 0)
        {
            throw new FlaatUnauthenticatedException(keyId is null
                ? $"No key at {_jwksUri} fits algorithm {ErrorText.Shorten(algorithm)}"
                : keys.Set.HasKeyId(keyId)
                    ? $"Key '{ErrorText.Shorten(keyId)}' at {_jwksUri} does not fit algorithm {ErrorText.Shorten(algorithm)}"
                    : $"No signing key with id '{ErrorText.Shorten(keyId)}' found at {_jwksUri}");
        }

        return keys;
    }
}
