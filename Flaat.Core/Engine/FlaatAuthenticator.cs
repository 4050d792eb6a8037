using System.Diagnostics.Metrics;
using Flaat.Caching;
using Flaat.Diagnostics;
using Flaat.Http;
using Flaat.Issuers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flaat.Engine;

/// <summary>
/// Flaat's token engine: turns an access token (JWT or opaque) from a trusted OP into
/// <see cref="UserInfos"/>, or into a precise failure — 401 for a token that is not accepted, 500
/// for a configuration fault, 503 when an OP cannot be reached (never reported as a bad token).
/// </summary>
/// <remarks>
/// <para>
/// The issuer is found in this order: the caller's hint, the pinned issuer, the JWT's <c>iss</c>
/// (which must be trusted before anything is sent anywhere), the token → issuer cache, and last
/// probing the userinfo endpoints of the trusted OPs that do not issue only JWTs, in parallel
/// within a deadline and a global budget; a token more than one OP accepts is refused. Note that
/// probing shows the token to each of those OPs. The OPs' answers are bound to the OP asked and to
/// the token: the user's issuer is always the OP asked, and its subject the JWT's.
/// </para>
/// <para>
/// Results are cached per token (by its SHA-256, never the token itself) in an
/// <see cref="IFlaatTokenCache"/> until the token expires or <see cref="FlaatCacheOptions.MaxUserInfosLifetime"/>
/// passes; rejections for <see cref="FlaatCacheOptions.RejectionLifetime"/>. Concurrent requests with
/// one token share one round of OP calls. A cached result is returned synchronously. Thread-safe; use
/// one instance per application.
/// </para>
/// <para>
/// This class is a façade over the engine's parts (namespace <c>Flaat.Engine</c>): issuer resolution,
/// opaque-token probing, JWT validation, OP claims collection, offline mode and the cache policy; see
/// <c>TokenPipeline</c> for the order in which they run.
/// </para>
/// </remarks>
public sealed class FlaatAuthenticator : IFlaatAuthenticator, IFlaatIssuerMonitor, IFlaatTokenRevoker, IDisposable
{
    private static readonly AuthenticationResult NoToken = AuthenticationResult.Failure(FlaatError.Unauthenticated("No access token"));

    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationToken _lifetimeToken;
    private readonly TokenCacheGuard _cache;
    private readonly IFlaatTokenCache _tokenCache;
    private readonly RevocationLedger _revocations;
    private readonly ILogger _logger;
    private readonly CachePolicy _policy;
    private readonly SingleFlight<FlightKey, AuthenticationResult> _flights = new();
    private readonly FlaatTelemetry _metrics;
    private readonly IssuerRegistry _issuers;
    private readonly TokenPipeline _pipeline;
    private int _disposed;

    /// <summary>Creates the engine.</summary>
    /// <param name="options">The settings; validated here (see <see cref="FlaatOptionsValidator"/>). They are read once.</param>
    /// <param name="httpClient">
    /// The client for calls to OPs; when <see langword="null"/> the engine builds and owns one that
    /// honours <see cref="FlaatOptions.VerifyTls"/>. A given client is used as it is and not disposed.
    /// </param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where log lines go; nowhere when <see langword="null"/>.</param>
    /// <param name="postProcessors">
    /// Adjust each token's claims once, before requirements and caching (flaat's
    /// <c>post_process_dictionaries</c>); run in order. None when <see langword="null"/>.
    /// </param>
    /// <param name="meterFactory">
    /// Creates the meter <see cref="FlaatDiagnostics.MeterName"/> with the engine's instruments (listed
    /// on <see cref="FlaatDiagnostics"/>); when <see langword="null"/> they are on Flaat's process-wide meter.
    /// </param>
    /// <param name="tokenCache">
    /// Where the outcome of each token is kept; when <see langword="null"/>, in memory, bounded by
    /// <see cref="FlaatCacheOptions.MaxUserInfos"/>. A given cache is used as it is and not disposed.
    /// </param>
    /// <exception cref="ArgumentException">The settings are invalid; the message lists every problem.</exception>
    public FlaatAuthenticator(FlaatOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IEnumerable<IUserInfosPostProcessor>? postProcessors = null, IMeterFactory? meterFactory = null, IFlaatTokenCache? tokenCache = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = FlaatOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid Flaat settings: " + string.Join(" ", errors), nameof(options));
        }

        _lifetimeToken = _lifetime.Token;
        _time = timeProvider ?? TimeProvider.System;
        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FlaatAuthenticator>();
        _ownsHttp = httpClient is null;
        _http = httpClient ?? FlaatHttp.CreateClient(options.VerifyTls);
        _metrics = FlaatTelemetry.Create(meterFactory);
        _logger = logger;
        _tokenCache = tokenCache ?? new MemoryTokenCache(options.Cache.MaxUserInfos, _time);
        _cache = new TokenCacheGuard(_tokenCache, _metrics, _time, logger);
        _revocations = new RevocationLedger(options.Cache.MaxUserInfos, _time);

        var client = new OpClient(_http, options, _time, _metrics);
        var issuers = _issuers = new IssuerRegistry(options, client, _time, logger, _lifetimeToken);
        var processors = postProcessors?.ToArray() ?? [];
        var claims = new OpClaims(client, processors, _time, options.ClockSkew, logger);
        var offline = new OfflineMode(options.TokenClaimsSuffice);
        var fingerprint = ConfigurationFingerprint.Compute(options, processors);
        _policy = new CachePolicy(options.Cache, offline, fingerprint, issuer => issuers.Find(issuer) is not null, options.ClockSkew);
        _pipeline = new TokenPipeline(
            new IssuerResolver(issuers, options.Cache, _time),
            new OpaqueTokenProbe(issuers, claims, options.Probing, _time, logger),
            claims,
            offline,
            _policy,
            _cache,
            _revocations,
            _metrics,
            options,
            _time,
            logger);
    }

    /// <inheritdoc />
    public ValueTask<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var token = request.AccessToken;
        if (string.IsNullOrEmpty(token))
        {
            return new ValueTask<AuthenticationResult>(NoToken);
        }

        // A token outside RFC 6750's b64token (or too long) is the client's fault: refused before
        // it is hashed, cached or shown to any OP. A known hash comes from an adapter that checked it.
        var knownHash = request.HashOfAccessToken;
        if (knownHash is null && TokenGrammar.Problem(token) is { } problem)
        {
            _metrics.Authenticated("rejected");
            return new ValueTask<AuthenticationResult>(AuthenticationResult.Failure(
                new FlaatError(401, FlaatUnauthenticatedException.ErrorName, problem) { ChallengeError = TokenGrammar.InvalidToken }));
        }

        // The hot path: a hash on the stack (or the caller's) and one lookup in memory, answered
        // synchronously with the result kept beside the outcome (nothing is built on a hit).
        var hash = knownHash ?? TokenHash.Compute(token);
        // The policy checks the outcome here too (this engine's settings, expiry, and for an outcome
        // from outside its issuer and claims): a cache of the application's must not keep a user in
        // after the token or its cache lifetime ran out, nor with another engine's verdict.
        var now = _time.GetUtcNow();
        if (_cache.TryGet(hash, now, out var cached) && _policy.Serve(cached, request, now) is { } served)
        {
            _metrics.Authenticated("cached");
            return new ValueTask<AuthenticationResult>(served);
        }

        return new ValueTask<AuthenticationResult>(AuthenticateUncachedAsync(hash, request, cancellationToken));
    }

    /// <summary>
    /// Gets the user infos of an access token, with the OP's userinfo (and introspection, when
    /// client credentials are set) — flaat's <c>get_user_infos_from_access_token</c>.
    /// </summary>
    /// <param name="accessToken">The access token.</param>
    /// <param name="issuerHint">The issuer believed to have issued the token; it must be trusted.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The user infos.</returns>
    /// <exception cref="FlaatUnauthenticatedException">The token is not accepted (401).</exception>
    /// <exception cref="FlaatUnavailableException">An OP could not be reached (503).</exception>
    /// <exception cref="FlaatException">Flaat or an OP is misconfigured (500).</exception>
    public async Task<UserInfos> GetUserInfosAsync(string accessToken, string? issuerHint = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(accessToken);
        var result = await AuthenticateAsync(new AuthenticationRequest(accessToken, issuerHint, RequireUserInfo: true), cancellationToken).ConfigureAwait(false);
        return result.UserInfos ?? throw result.Error!.ToException();
    }

    /// <inheritdoc />
    public IReadOnlyList<FlaatIssuerState> GetIssuers() => _issuers.GetStates();

    /// <inheritdoc />
    public ValueTask RevokeAsync(string accessToken, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        return RevokeAsync(TokenHash.Compute(accessToken), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask RevokeAsync(TokenHash key, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        EngineLog.TokenRevoked(_logger, key.ToString());
        _revocations.Revoke(key);
        return _tokenCache.RemoveAsync(key, cancellationToken);
    }

    /// <summary>Stops the work under way and releases the HTTP client the engine built.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Cancelled, not disposed: loads still unwinding may yet link to its token.
        _lifetime.Cancel();
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<AuthenticationResult> AuthenticateUncachedAsync(TokenHash hash, AuthenticationRequest request, CancellationToken cancellationToken)
    {
        using var activity = FlaatTelemetry.StartAuthentication();
        var key = new FlightKey(hash, request.RequireUserInfo, request.IssuerHint);
        var load = _flights.RunAsync(key, (Engine: this, Hash: hash, Request: request), static state => state.Engine._pipeline.LoadAsync(state.Hash, state.Request, state.Engine._lifetimeToken));
        var result = await load.WaitAsync(cancellationToken).ConfigureAwait(false);
        FlaatTelemetry.SetAuthenticationResult(activity, result.Error?.StatusCode);
        return result;
    }

    // With a proof, an opaque token of unknown issuer is probed another way: not one shared load.
    private readonly record struct FlightKey(TokenHash Hash, bool RequireUserInfo, string? IssuerHint);
}
