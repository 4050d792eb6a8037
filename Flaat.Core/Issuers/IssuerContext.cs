using System.Text.Json;
using Flaat.Diagnostics;
using Flaat.Http;
using Flaat.Tokens;
using Microsoft.Extensions.Logging;

namespace Flaat.Issuers;

/// <summary>
/// Everything Flaat keeps per trusted issuer: its settings, its resilience pipeline (its own
/// circuit), its discovery document and its signing keys. Both documents are cached, loaded by one
/// shared request however many callers need them, and served stale while the OP is briefly down.
/// What it holds, and its last failure and circuit, are read through <see cref="GetState"/>. The
/// keys are in IssuerContext.Keys.cs.
/// </summary>
internal sealed partial class IssuerContext
{
    private readonly OpClient _client;
    private readonly FlaatCacheOptions _cache;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationToken _lifetime;
    private readonly Lock _gate = new();
    private readonly string _configured;
    private readonly bool _allowInsecureHttp;
    private readonly KeyLimits _keyLimits;

    private ConfigurationState? _configuration;
    private Task<ConfigurationState>? _configurationLoad;
    private KeysState? _keys;
    private Task<KeysState>? _keysLoad;
    private DateTimeOffset _lastKeysRefresh = DateTimeOffset.MinValue;

    public IssuerContext(string configured, string? clientId, string? clientSecret, bool issuesJwt, bool allowInsecureHttp, KeyLimits keyLimits, OpClient client, FlaatCacheOptions cache, TimeProvider time, ILogger logger, CancellationToken lifetime)
    {
        _configured = configured;
        Issuer = IssuerUrl.Normalize(configured);
        IssuerElement = JsonSerializer.SerializeToElement(Issuer, IssuerJson.Default.String);
        ClientId = clientId;
        ClientSecret = clientSecret;
        IssuesJwt = issuesJwt;
        _allowInsecureHttp = allowInsecureHttp;
        _keyLimits = keyLimits;
        _client = client;
        _cache = cache;
        _time = time;
        _logger = logger;
        _lifetime = lifetime;
        Target = client.CreateTarget(Issuer);
    }

    /// <summary>The issuer URL as compared with tokens' <c>iss</c> (no trailing slash).</summary>
    public string Issuer { get; }

    /// <summary><see cref="Issuer"/> as a JSON string: the <c>iss</c> of every user this OP answers for.</summary>
    public JsonElement IssuerElement { get; }

    /// <summary>What this issuer's JWTs must be to count as access tokens for this API (audience, type).</summary>
    public AccessTokenPolicy TokenPolicy { get; init; } = AccessTokenPolicy.Default;

    public string? ClientId { get; }

    public string? ClientSecret { get; }

    public bool IssuesJwt { get; }

    /// <summary>This issuer as the OP client addresses it: its name and its resilience pipeline (its own circuit).</summary>
    public OpTarget Target { get; }

    /// <summary>The discovery document; throws the <see cref="FlaatException"/> kind of the failure.</summary>
    public async ValueTask<IssuerConfiguration> GetConfigurationAsync(CancellationToken cancellationToken)
    {
        var state = Volatile.Read(ref _configuration);
        if (state is null || _time.GetUtcNow() >= state.RefreshAt)
        {
            state = await Join(ref _configurationLoad, LoadConfigurationAsync).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return state.Configuration ?? throw state.Error!.ToException();
    }

    private Task<T> Join<T>(ref Task<T>? slot, Func<Task<T>> start)
    {
        lock (_gate)
        {
            if (slot is { IsCompleted: false } running)
            {
                return running;
            }

            return slot = start();
        }
    }

    private async Task<ConfigurationState> LoadConfigurationAsync()
    {
        await Task.Yield();
        var previous = Volatile.Read(ref _configuration);
        FlaatError? error = null;
        var lastStatus = 0;
        foreach (var uri in IssuerUrl.DiscoveryCandidates(_configured))
        {
            var result = await _client.GetJsonAsync(Target, "discovery", uri, _lifetime).ConfigureAwait(false);
            lastStatus = result.StatusCode;
            if (result.Kind == OpResultKind.Ok)
            {
                var configuration = IssuerConfiguration.TryRead(result.Body, _allowInsecureHttp, out var problem);
                if (configuration is null)
                {
                    error = FlaatError.Internal($"The discovery document of issuer {Issuer} at {uri} {problem}");
                }
                else if (!IssuerUrl.AreSame(configuration.Issuer, Issuer))
                {
                    EngineLog.DiscoveryIssuerMismatch(_logger, uri, configuration.Issuer, Issuer);
                    error = FlaatError.Internal($"The discovery document of issuer {Issuer} names another issuer: {configuration.Issuer}");
                }
                else
                {
                    var loadedAt = _time.GetUtcNow();
                    return Publish(new ConfigurationState(configuration, null, loadedAt + _cache.IssuerConfigurationLifetime, loadedAt));
                }

                break;
            }

            if (result.Kind == OpResultKind.Unavailable)
            {
                EngineLog.OpUnavailable(_logger, Issuer, uri, result.Problem!);
                error = FlaatError.Unavailable($"The OP {Issuer} could not be reached: {result.Problem}", result.RetryAfter);
                break;
            }

            // Not found here: flaat's rules may offer another place.
            error = FlaatError.Internal($"No OpenID configuration found for issuer {Issuer} ({uri} answered {result.Problem})");
        }

        var now = _time.GetUtcNow();
        Failed(error!, now);
        // An OP that answered, but with a 2xx that is no JSON object, will answer the same way again:
        // like a broken configuration, that is remembered briefly instead of fetched on every request.
        var answeredBadly = lastStatus is >= 200 and < 300;
        if (error!.StatusCode == 503 && previous?.Configuration is { } stale)
        {
            EngineLog.ServingStaleConfiguration(_logger, Issuer, error.Description);
            return Publish(new ConfigurationState(stale, null, now + _cache.StaleConfigurationLifetime, previous.LoadedAt));
        }

        if (error.StatusCode != 503)
        {
            EngineLog.ConfigurationFailed(_logger, Issuer, error.Description);
        }

        // An unreachable OP is asked again on the next request (its circuit breaker keeps that cheap);
        // a broken configuration, or a bad answer, is remembered briefly.
        return Publish(new ConfigurationState(null, error, error.StatusCode == 503 && !answeredBadly ? now : now + _cache.RejectionLifetime));
    }

    private ConfigurationState Publish(ConfigurationState state)
    {
        Volatile.Write(ref _configuration, state);
        return state;
    }

    /// <summary>
    /// Records a failure of this OP for the monitor (never a token's rejection: those are not the OP's).
    /// Not while its circuit is open: "the circuit is open" would hide the cause the OP client recorded.
    /// </summary>
    private void Failed(FlaatError error, DateTimeOffset at)
    {
        if (Target.Health is { Circuit: not FlaatCircuitState.Open } health)
        {
            health.Failed(error.StatusCode, error.Description, at);
        }
    }

    /// <summary>What this issuer holds now, its last failure and its circuit (<see cref="IFlaatIssuerMonitor"/>); sends nothing.</summary>
    public FlaatIssuerState GetState()
    {
        var configuration = Volatile.Read(ref _configuration);
        var keys = Volatile.Read(ref _keys);
        return new FlaatIssuerState
        {
            Issuer = Issuer,
            ObservedAt = _time.GetUtcNow(),
            ConfigurationLoadedAt = configuration?.Configuration is null ? null : configuration.LoadedAt,
            KeysLoadedAt = keys?.LoadedAt,
            KeyCount = keys?.Keys.Keys.Count ?? 0,
            LastError = Target.Health?.LastError,
            Circuit = Target.Health?.Circuit ?? FlaatCircuitState.Closed,
        };
    }

    // LoadedAt: when Configuration was fetched (kept while it is served stale).
    private sealed record ConfigurationState(IssuerConfiguration? Configuration, FlaatError? Error, DateTimeOffset RefreshAt, DateTimeOffset LoadedAt = default);
}
