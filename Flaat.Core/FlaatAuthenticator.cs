using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Flaat.Caching;
using Flaat.Diagnostics;
using Flaat.Http;
using Flaat.Issuers;
using Flaat.Tokens;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flaat;

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
/// Results are cached per token (by its SHA-256, never the token itself) until the token expires
/// or <see cref="FlaatCacheOptions.MaxUserInfosLifetime"/> passes; rejections for
/// <see cref="FlaatCacheOptions.RejectionLifetime"/>. Concurrent requests with one token share one
/// round of OP calls. A cached result is returned synchronously. Thread-safe; use one instance per
/// application.
/// </para>
/// </remarks>
public sealed class FlaatAuthenticator : IFlaatAuthenticator, IFlaatIssuerMonitor, IDisposable
{
    private static readonly AuthenticationResult NoToken = AuthenticationResult.Failure(FlaatError.Unauthenticated("No access token"));

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly OpClient _client;
    private readonly IssuerRegistry _issuers;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly CancellationToken _lifetimeToken;
    private readonly BoundedCache<TokenHash, CachedResult> _results;
    private readonly BoundedCache<TokenHash, IssuerContext> _tokenIssuers;
    private readonly SingleFlight<FlightKey, AuthenticationResult> _flights = new();
    private readonly FlaatTelemetry _metrics;

    private readonly bool _verifyJwt;
    private readonly bool _tokenClaimsSuffice;
    private readonly TimeSpan _clockSkew;
    private readonly TimeSpan _maxLifetime;
    private readonly TimeSpan _rejectionLifetime;
    private readonly IUserInfosPostProcessor[] _postProcessors;
    private readonly TimeSpan _tokenIssuerLifetime;
    private readonly bool _probingEnabled;
    private readonly int _probeParallelism;
    private readonly TimeSpan _probeDeadline;
    private readonly ProbeBudget _probeBudget;
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
    /// <exception cref="ArgumentException">The settings are invalid; the message lists every problem.</exception>
    public FlaatAuthenticator(FlaatOptions options, HttpClient? httpClient = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IEnumerable<IUserInfosPostProcessor>? postProcessors = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = FlaatOptionsValidator.Validate(options);
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid Flaat settings: " + string.Join(" ", errors), nameof(options));
        }

        _lifetimeToken = _lifetime.Token;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<FlaatAuthenticator>();
        _ownsHttp = httpClient is null;
        _http = httpClient ?? FlaatHttp.CreateClient(options.VerifyTls);
        _metrics = FlaatTelemetry.Create(meterFactory);
        _client = new OpClient(_http, options, _time, _metrics);
        _issuers = new IssuerRegistry(options, _client, _time, _logger, _lifetimeToken);
        _results = new BoundedCache<TokenHash, CachedResult>(options.Cache.MaxUserInfos);
        _tokenIssuers = new BoundedCache<TokenHash, IssuerContext>(options.Cache.MaxTokenIssuers);

        _verifyJwt = options.VerifyJwt;
        _tokenClaimsSuffice = options.TokenClaimsSuffice;
        _clockSkew = options.ClockSkew;
        _maxLifetime = options.Cache.MaxUserInfosLifetime;
        _rejectionLifetime = options.Cache.RejectionLifetime;
        _postProcessors = postProcessors?.ToArray() ?? [];
        _tokenIssuerLifetime = options.Cache.IssuerConfigurationLifetime;
        _probingEnabled = options.Probing.Enabled;
        _probeParallelism = options.Probing.MaxParallelism;
        _probeDeadline = options.Probing.Deadline;
        _probeBudget = new ProbeBudget(options.Probing.MaxConcurrentProbes, options.Probing.MaxProbesPerSecond, _time);
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
        var knownHash = request.KnownHash;
        if (knownHash is null && Evaluation.TokenGrammar.Problem(token) is { } problem)
        {
            _metrics.Authenticated("rejected");
            return new ValueTask<AuthenticationResult>(AuthenticationResult.Failure(
                new FlaatError(401, FlaatUnauthenticatedException.ErrorName, problem) { ChallengeError = Evaluation.TokenGrammar.InvalidToken }));
        }

        // The hot path: a hash on the stack (or the caller's) and one dictionary lookup, answered synchronously.
        var hash = knownHash ?? TokenHash.Compute(token);
        if (_results.TryGet(hash, _time.GetUtcNow().UtcTicks, out var cached) && cached.Serves(request))
        {
            _metrics.Authenticated("cached");
            return new ValueTask<AuthenticationResult>(cached.Result);
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
        var load = _flights.RunAsync(key, (Engine: this, Hash: hash, Request: request), static state => state.Engine.LoadAsync(state.Hash, state.Request));
        var result = await load.WaitAsync(cancellationToken).ConfigureAwait(false);
        FlaatTelemetry.SetAuthenticationResult(activity, result.Error?.StatusCode);
        return result;
    }

    /// <summary>One shared round of work for a token: resolve, verify, ask the OP, and cache the outcome.</summary>
    private async Task<AuthenticationResult> LoadAsync(TokenHash hash, AuthenticationRequest request)
    {
        var cancellationToken = _lifetimeToken;
        CachedResult outcome;
        try
        {
            outcome = await ResolveAsync(hash, request, cancellationToken).ConfigureAwait(false);
        }
        catch (FlaatException e)
        {
            var error = e.ToError();
            EngineLog.TokenNotAccepted(_logger, hash.ToString(), error.StatusCode, error.Description);
            outcome = new CachedResult(AuthenticationResult.Failure(error), null);
        }

        _metrics.Authenticated(outcome.Result.Error?.StatusCode switch
        {
            null => "accepted",
            401 => "rejected",
            503 => "unavailable",
            _ => "error",
        });
        var now = _time.GetUtcNow();
        DateTimeOffset? keepUntil = outcome.Result switch
        {
            { UserInfos: { } infos } => Earliest(outcome.TokenExpiresAt, Earliest(infos.ExpiresAt, now + _maxLifetime)),
            // In offline mode a rejection of a userinfo-required request (the OP refused userinfo) must
            // not replace the token-only success cached for the same token: the token stays valid.
            { Error.StatusCode: 401 } when request.RequireUserInfo && _tokenClaimsSuffice => null,
            // A refusal for want of probing budget says nothing about the token: not remembered.
            _ when outcome.NotCached => null,
            // A rejection under an issuer hint may be the hint's fault ("issued by X, not by the
            // expected issuer"): remembered for the token, it would refuse (or replace the success of)
            // requests without that hint.
            { Error.StatusCode: 401 } when request.IssuerHint is not null => null,
            // A rejection is remembered briefly; an outage or a configuration fault is not.
            { Error.StatusCode: 401 } => now + _rejectionLifetime,
            _ => null,
        };
        if (keepUntil is { } until)
        {
            _results.Set(hash, outcome, until.UtcTicks, now.UtcTicks);
        }

        return outcome.Result;
    }

    private async Task<CachedResult> ResolveAsync(TokenHash hash, AuthenticationRequest request, CancellationToken cancellationToken)
    {
        var token = request.AccessToken;
        var jwt = DecodedJwt.DecodeOrRefuse(token);

        IssuerContext? target;
        if (request.IssuerHint is { } hint)
        {
            target = _issuers.Find(hint) ?? throw new FlaatUnauthenticatedException($"Issuer is not trusted: {Shorten(hint)}");
        }
        else
        {
            target = _issuers.Pinned;
        }

        if (jwt?.Issuer is { } iss)
        {
            // Checked before anything is sent anywhere: an untrusted issuer gets no request.
            var issuer = _issuers.Find(iss) ?? throw new FlaatUnauthenticatedException($"Issuer is not trusted: {Shorten(iss)}");
            if (target is not null && !ReferenceEquals(target, issuer))
            {
                throw new FlaatUnauthenticatedException($"Token was issued by {Shorten(iss)}, not by the expected issuer {target.Issuer}");
            }

            target = issuer;
        }

        if (jwt is not null && target is not null)
        {
            return await AuthenticateJwtAsync(jwt, target, request, cancellationToken).ConfigureAwait(false);
        }

        // An opaque token (a JWT without iss, and nothing to check it against, is handled as one:
        // its unverifiable claims are not used).
        if (target is null && _tokenIssuers.TryGet(hash, _time.GetUtcNow().UtcTicks, out var known))
        {
            target = known;
        }

        if (target is not null)
        {
            var (configuration, userInfo) = await AskUserInfoAsync(target, token, cancellationToken).ConfigureAwait(false);
            var claims = UserInfoClaims(target, configuration, userInfo, opaque: true, tokenSubject: null);
            return await CompleteAsync(target, configuration, token, null, null, null, claims, cancellationToken).ConfigureAwait(false);
        }

        return await ProbeAsync(hash, token, cancellationToken).ConfigureAwait(false);
    }

    private async Task<CachedResult> AuthenticateJwtAsync(DecodedJwt jwt, IssuerContext issuer, AuthenticationRequest request, CancellationToken cancellationToken)
    {
        // Lifetime first: it costs nothing, and an expired JWT is refused even where the OP's
        // userinfo would still answer.
        var now = _time.GetUtcNow();
        jwt.EnsureCurrent(now, _clockSkew);

        // Also free, and before any key is fetched: a token for another API, or (when its claims
        // alone decide) one that is not an access token, goes no further.
        issuer.TokenPolicy.EnsureAudience(jwt);
        if (_tokenClaimsSuffice)
        {
            issuer.TokenPolicy.EnsureAccessToken(jwt);
        }

        var subject = OpAnswers.SubjectOf(jwt);

        string? verifiedWith = null;
        if (_verifyJwt)
        {
            await VerifySignatureAsync(jwt, issuer, cancellationToken).ConfigureAwait(false);
            verifiedWith = jwt.Algorithm;
        }

        var info = jwt.ToAccessTokenInfo(verifiedWith);
        if (_tokenClaimsSuffice && !request.RequireUserInfo)
        {
            // Offline mode (flaat issue #7): the verified token speaks for itself.
            var own = OpAnswers.WithAskedIssuer(ClaimSet.Empty, null, info, issuer);
            return new CachedResult(AuthenticationResult.Success(UserInfosPostProcessing.Create(_postProcessors, info, own, null, _time), isTokenOnly: true), issuer, jwt.ExpiresAt);
        }

        var (configuration, userInfo) = await AskUserInfoAsync(issuer, jwt.Token, cancellationToken).ConfigureAwait(false);
        var claims = UserInfoClaims(issuer, configuration, userInfo, opaque: false, subject);
        return await CompleteAsync(issuer, configuration, jwt.Token, subject, info, jwt.ExpiresAt, claims, cancellationToken).ConfigureAwait(false);
    }

    private static async Task VerifySignatureAsync(DecodedJwt jwt, IssuerContext issuer, CancellationToken cancellationToken)
    {
        if (SigningAlgorithms.Refusal(jwt.Algorithm) is { } refusal)
        {
            throw new FlaatUnauthenticatedException(refusal);
        }

        var keys = await issuer.GetKeysAsync(cancellationToken).ConfigureAwait(false);
        var candidates = keys.Candidates(jwt.KeyId, jwt.Algorithm);
        if (candidates.Count == 0)
        {
            if (jwt.KeyId is { } kid && keys.HasKeyId(kid))
            {
                throw new FlaatUnauthenticatedException($"Key '{Shorten(kid)}' of issuer {issuer.Issuer} does not fit algorithm {Shorten(jwt.Algorithm)}");
            }

            // An unknown key: the OP may have rotated its keys. One shared, rate-limited refresh.
            if (await issuer.RefreshKeysAsync(keys, cancellationToken).ConfigureAwait(false) is { } refreshed)
            {
                candidates = refreshed.Candidates(jwt.KeyId, jwt.Algorithm);
            }

            if (candidates.Count == 0)
            {
                throw new FlaatUnauthenticatedException(jwt.KeyId is { } unknown
                    ? $"No key with id '{Shorten(unknown)}' found at issuer {issuer.Issuer}"
                    : $"No key of issuer {issuer.Issuer} fits algorithm {Shorten(jwt.Algorithm)}");
            }
        }

        if (!SignatureVerifier.Verify(jwt, candidates))
        {
            throw new FlaatUnauthenticatedException("Signature verification failed");
        }
    }

    private async Task<(IssuerConfiguration Configuration, OpResult? UserInfo)> AskUserInfoAsync(IssuerContext issuer, string token, CancellationToken cancellationToken)
    {
        var configuration = await issuer.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        if (configuration.UserInfoEndpoint is not { } endpoint)
        {
            return (configuration, null);
        }

        var result = await _client.GetUserInfoAsync(issuer.Target, endpoint, token, cancellationToken).ConfigureAwait(false);
        if (result.Kind == OpResultKind.Unavailable)
        {
            EngineLog.OpUnavailable(_logger, issuer.Issuer, endpoint, result.Problem!);
        }

        return (configuration, result);
    }

    /// <summary>The userinfo claims, bound to the issuer asked and the token's subject (see <see cref="OpAnswers"/>); throws on failure.</summary>
    private static IReadOnlyDictionary<string, JsonElement> UserInfoClaims(IssuerContext issuer, IssuerConfiguration configuration, OpResult? userInfo, bool opaque, string? tokenSubject)
    {
        if (userInfo is null)
        {
            // No userinfo endpoint: a JWT's own claims, or an opaque token's introspection, must do.
            if (opaque && (issuer.ClientId is null || configuration.IntrospectionEndpoint is null))
            {
                throw new FlaatException($"Issuer {issuer.Issuer} publishes neither a userinfo endpoint nor, with client credentials set, an introspection endpoint");
            }

            return ClaimSet.Empty;
        }

        return userInfo.Kind switch
        {
            OpResultKind.Ok => OpAnswers.BindUserInfo(userInfo.Body, issuer, tokenSubject),
            OpResultKind.Rejected when userInfo.RefusesTheToken => throw new FlaatUnauthenticatedException($"The OP {issuer.Issuer} rejected the token at its userinfo endpoint ({userInfo.Problem})"),
            OpResultKind.Rejected => throw new FlaatUnavailableException($"The OP {issuer.Issuer} answered its userinfo endpoint with {userInfo.Problem}, which says nothing about the token"),
            _ => throw new FlaatUnavailableException($"The OP {issuer.Issuer} could not be reached: {userInfo.Problem}", userInfo.RetryAfter),
        };
    }

    private async Task<CachedResult> CompleteAsync(IssuerContext issuer, IssuerConfiguration configuration, string token, string? tokenSubject, AccessTokenInfo? info, DateTimeOffset? tokenExpiresAt, IReadOnlyDictionary<string, JsonElement> userInfo, CancellationToken cancellationToken)
    {
        var introspection = await IntrospectAsync(issuer, configuration, token, tokenSubject, userInfo, cancellationToken).ConfigureAwait(false);
        var claims = OpAnswers.WithAskedIssuer(userInfo, introspection, info, issuer);
        return new CachedResult(AuthenticationResult.Success(UserInfosPostProcessing.Create(_postProcessors, info, claims, introspection, _time)), issuer, tokenExpiresAt);
    }

    private async Task<IReadOnlyDictionary<string, JsonElement>?> IntrospectAsync(IssuerContext issuer, IssuerConfiguration configuration, string token, string? tokenSubject, IReadOnlyDictionary<string, JsonElement> userInfo, CancellationToken cancellationToken)
    {
        if (issuer.ClientId is not { } clientId || issuer.ClientSecret is not { } clientSecret || configuration.IntrospectionEndpoint is not { } endpoint)
        {
            return null;
        }

        var result = await _client.IntrospectAsync(issuer.Target, endpoint, token, clientId, clientSecret, cancellationToken).ConfigureAwait(false);
        switch (result.Kind)
        {
            case OpResultKind.Ok:
                return OpAnswers.BindIntrospection(result.Body, issuer, tokenSubject, userInfo, _time.GetUtcNow(), _clockSkew);
            case OpResultKind.Rejected when result.StatusCode == 400:
                // RFC 7662 answers a token it does not know with active: false; a 400 says the request (the token) was malformed.
                throw new FlaatUnauthenticatedException($"The OP {issuer.Issuer} refused to introspect the token ({result.Problem})");
            case OpResultKind.Rejected when result.StatusCode is 401 or 403:
                throw new FlaatException($"The OP {issuer.Issuer} refused the introspection request ({result.Problem}); check the client credentials for this issuer");
            case OpResultKind.Rejected:
                EngineLog.OpUnavailable(_logger, issuer.Issuer, endpoint, result.Problem!);
                throw new FlaatUnavailableException($"The OP {issuer.Issuer} answered its introspection endpoint with {result.Problem}, which says nothing about the token");
            default:
                EngineLog.OpUnavailable(_logger, issuer.Issuer, endpoint, result.Problem!);
                throw new FlaatUnavailableException($"The OP {issuer.Issuer} could not be reached: {result.Problem}", result.RetryAfter);
        }
    }

    private async Task<CachedResult> ProbeAsync(TokenHash hash, string token, CancellationToken cancellationToken)
    {
        var candidates = _issuers.ProbeCandidates;
        if (!_probingEnabled || candidates.Count == 0)
        {
            throw new FlaatUnauthenticatedException("Token is not a JWT, and its issuer is unknown");
        }

        // The global budget: the excess is refused before any OP is asked, and not remembered, so a
        // legitimate token caught in a flood of made-up ones may be tried again at once.
        if (_probeBudget.TryTake() is { } spent)
        {
            EngineLog.ProbeBudgetSpent(_logger, hash.ToString(), spent);
            var refusal = FlaatError.Unauthenticated($"Token is not a JWT, and its issuer cannot be looked for now ({spent}); try again later");
            return new CachedResult(AuthenticationResult.Failure(refusal), null) { NotCached = true };
        }

        ProbeOutcome winner;
        try
        {
            winner = await ProbeCandidatesAsync(hash, candidates, token, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _probeBudget.Release();
        }

        EngineLog.TokenIssuerProbed(_logger, hash.ToString(), winner.Issuer.Issuer);
        var now = _time.GetUtcNow();
        _tokenIssuers.Set(hash, winner.Issuer, (now + _tokenIssuerLifetime).UtcTicks, now.UtcTicks);
        return await CompleteAsync(winner.Issuer, winner.Configuration!, token, null, null, null, winner.Claims!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks every candidate and waits for all answers within the deadline: the first acceptance
    /// cannot win, or an OP that accepts every token would become the issuer of other OPs' tokens.
    /// Exactly one acceptance is needed; OPs that could not be asked do not block it.
    /// </summary>
    private async Task<ProbeOutcome> ProbeCandidatesAsync(TokenHash hash, IReadOnlyList<IssuerContext> candidates, string token, CancellationToken cancellationToken)
    {
        ProbeOutcome[] outcomes;
        using (var deadline = new CancellationTokenSource(_probeDeadline, _time))
        using (var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token))
        using (var gate = new SemaphoreSlim(_probeParallelism))
        {
            var pending = new Task<ProbeOutcome>[candidates.Count];
            for (var i = 0; i < candidates.Count; i++)
            {
                pending[i] = ProbeOneAsync(candidates[i], token, gate, probing.Token);
            }

            // Each probe turns the deadline into an outcome of its own, so this ends by the deadline.
            outcomes = await Task.WhenAll(pending).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();

        // An OP that answered for the token counts as accepting it, even when its answer then
        // failed the binding checks (an OP answering for another issuer or subject).
        var accepted = outcomes.Where(o => o.Claims is not null || o.Refusal is not null).ToList();
        if (accepted.Count > 1)
        {
            var issuers = string.Join(", ", accepted.Select(o => o.Issuer.Issuer));
            EngineLog.ProbeAmbiguous(_logger, hash.ToString(), issuers);
            throw new FlaatUnauthenticatedException($"Token was accepted by more than one trusted OP: ambiguous ({issuers})");
        }

        if (accepted.Count == 1)
        {
            return accepted[0].Refusal is { } refusal ? throw refusal.ToException() : accepted[0];
        }

        var unavailable = outcomes.Where(o => o.Error is not null).ToList();
        if (unavailable.Count > 0)
        {
            // An OP that is down may accept the token later (503); a fault on this side (an OP's
            // broken configuration, a request that could not be built) is no outage and stays a 500.
            var error = unavailable.Find(o => o.Error!.StatusCode == 503)?.Error ?? unavailable[0].Error!;
            var description = $"No trusted OP accepted the token, and {unavailable.Count} of {candidates.Count} could not be asked; first: {error.Description}";
            throw error.StatusCode == 503
                ? new FlaatUnavailableException(description, error.RetryAfter)
                : new FlaatException(description);
        }

        throw new FlaatUnauthenticatedException("No trusted OP accepted the token");
    }

    private async Task<ProbeOutcome> ProbeOneAsync(IssuerContext issuer, string token, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        try
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return ProbeOutcome.TimedOut(issuer, _probeDeadline);
        }

        try
        {
            var (configuration, userInfo) = await AskUserInfoAsync(issuer, token, cancellationToken).ConfigureAwait(false);
            if (userInfo is null)
            {
                // Without a userinfo endpoint an OP cannot be probed.
                return ProbeOutcome.Rejected(issuer);
            }

            switch (userInfo.Kind)
            {
                case OpResultKind.Ok:
                    try
                    {
                        return new ProbeOutcome(issuer, configuration, OpAnswers.BindUserInfo(userInfo.Body, issuer, tokenSubject: null), null);
                    }
                    catch (FlaatUnauthenticatedException e)
                    {
                        return new ProbeOutcome(issuer, configuration, null, null, e.ToError());
                    }

                case OpResultKind.Rejected when userInfo.RefusesTheToken:
                    return ProbeOutcome.Rejected(issuer);
                default:
                    return new ProbeOutcome(issuer, configuration, null, FlaatError.Unavailable($"The OP {issuer.Issuer} could not be reached: {userInfo.Problem}", userInfo.RetryAfter));
            }
        }
        catch (OperationCanceledException)
        {
            return ProbeOutcome.TimedOut(issuer, _probeDeadline);
        }
        catch (FlaatException e)
        {
            // The OP cannot be asked (unreachable, or its configuration is broken).
            return new ProbeOutcome(issuer, null, null, e.ToError());
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Caps a value taken from a token before it goes into an error message or log line.</summary>
    internal static string Shorten(string value) =>
        value.Length <= 120
            ? value
            // Never half a surrogate pair: the cut falls before a pair that would straddle it.
            : string.Concat(value.AsSpan(0, char.IsHighSurrogate(value[119]) ? 119 : 120), "...");

    private static DateTimeOffset Earliest(DateTimeOffset? first, DateTimeOffset second) =>
        first is { } value && value < second ? value : second;

    /// <summary>What is cached per token: the result, and the issuer it came from (for issuer hints).</summary>
    private sealed class CachedResult(AuthenticationResult result, IssuerContext? issuer, DateTimeOffset? tokenExpiresAt = null)
    {
        public AuthenticationResult Result { get; } = result;

        /// <summary>A JWT's own <c>exp</c>: the cache never outlives it, whatever post-processors did to the claims.</summary>
        public DateTimeOffset? TokenExpiresAt { get; } = tokenExpiresAt;

        public IssuerContext? Issuer { get; } = issuer;

        /// <summary>Whether this result must not be cached (a refusal that says nothing about the token).</summary>
        public bool NotCached { get; init; }

        public bool Serves(AuthenticationRequest request)
        {
            if (request.RequireUserInfo && Result.IsTokenOnly)
            {
                return false;
            }

            return request.IssuerHint is not { } hint || IssuerUrl.AreSame(hint, Issuer?.Issuer);
        }
    }

    // Claims: the OP accepted the token; Refusal: it answered for the token, but the answer failed the
    // binding checks; Error: it could not be asked; none: it rejected the token.
    private sealed record ProbeOutcome(IssuerContext Issuer, IssuerConfiguration? Configuration, IReadOnlyDictionary<string, JsonElement>? Claims, FlaatError? Error, FlaatError? Refusal = null)
    {
        public static ProbeOutcome Rejected(IssuerContext issuer) => new(issuer, null, null, null);

        public static ProbeOutcome TimedOut(IssuerContext issuer, TimeSpan deadline) =>
            new(issuer, null, null, FlaatError.Unavailable($"The OP {issuer.Issuer} did not answer within the probing deadline of {deadline.TotalSeconds:0.###} s"));
    }

    private readonly record struct FlightKey(TokenHash Hash, bool RequireUserInfo, string? IssuerHint);
}
