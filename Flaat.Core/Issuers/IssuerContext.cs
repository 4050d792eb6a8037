using System.Text.Json;
using Flaat.Http;
using Flaat.Tokens;
using Microsoft.Extensions.Logging;

namespace Flaat.Issuers;

/// <summary>
/// Everything Flaat keeps per trusted issuer: its settings, its resilience pipeline (its own
/// circuit), its discovery document and its signing keys. Both documents are cached, loaded by one
/// shared request however many callers need them, and served stale while the OP is briefly down.
/// </summary>
internal sealed class IssuerContext
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
        IssuerElement = JsonSerializer.SerializeToElement(Issuer);
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
        Target = new OpTarget(Issuer, client.CreatePipeline());
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

    /// <summary>The signing keys; throws the <see cref="FlaatException"/> kind of the failure.</summary>
    public async ValueTask<KeySet> GetKeysAsync(CancellationToken cancellationToken)
    {
        var state = Volatile.Read(ref _keys);
        if (state is not null && _time.GetUtcNow() < state.RefreshAt)
        {
            return state.Keys;
        }

        state = await Join(ref _keysLoad, LoadKeysAsync).WaitAsync(cancellationToken).ConfigureAwait(false);
        return state.Keys;
    }

    /// <summary>
    /// Fetches the keys again because a token names a key not in <paramref name="seen"/> (the OP may
    /// have rotated). Callers share one refresh, and refreshes are at most one per
    /// <see cref="FlaatCacheOptions.JwksRefreshInterval"/>; <see langword="null"/> when rate-limited. Throws
    /// the failure (503 when the OP is down) when the refresh failed, rather than report the key as unknown.
    /// </summary>
    public async ValueTask<KeySet?> RefreshKeysAsync(KeySet seen, CancellationToken cancellationToken)
    {
        Task<KeysState> load;
        lock (_gate)
        {
            if (_keys is { } current && !ReferenceEquals(current.Keys, seen))
            {
                return current.Keys;
            }

            if (_keysLoad is { IsCompleted: false } running)
            {
                load = running;
            }
            else if (_time.GetUtcNow() - _lastKeysRefresh < _cache.JwksRefreshInterval)
            {
                // Rate-limited: if the last refresh failed, the OP could not be asked, which is no verdict on the key.
                return _keys?.Problem is { } problem ? throw problem.ToException() : null;
            }
            else
            {
                _lastKeysRefresh = _time.GetUtcNow();
                load = _keysLoad = LoadKeysAsync();
            }
        }

        var state = await load.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!ReferenceEquals(state.Keys, seen))
        {
            return state.Keys;
        }

        // The refresh failed and only the old keys are left: an outage (503), not an unknown key (401).
        return state.Problem is { } failure ? throw failure.ToException() : null;
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
                    return Publish(new ConfigurationState(configuration, null, _time.GetUtcNow() + _cache.IssuerConfigurationLifetime));
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
        // An OP that answered, but with a 2xx that is no JSON object, will answer the same way again:
        // like a broken configuration, that is remembered briefly instead of fetched on every request.
        var answeredBadly = lastStatus is >= 200 and < 300;
        if (error!.StatusCode == 503 && previous?.Configuration is { } stale)
        {
            EngineLog.ServingStaleConfiguration(_logger, Issuer, error.Description);
            return Publish(new ConfigurationState(stale, null, now + _cache.RejectionLifetime));
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

    private async Task<KeysState> LoadKeysAsync()
    {
        await Task.Yield();
        var configuration = await GetConfigurationAsync(_lifetime).ConfigureAwait(false);
        if (configuration.JwksUri is not { } jwksUri)
        {
            throw new FlaatException($"Issuer {Issuer} publishes no jwks_uri; its JWTs cannot be verified");
        }

        var result = await _client.GetJsonAsync(Target, "jwks", jwksUri, _lifetime).ConfigureAwait(false);
        FlaatError error;
        if (result.Kind == OpResultKind.Ok)
        {
            if (KeySet.TryParse(result.Body.GetRawText(), _keyLimits) is { } keys)
            {
                EngineLog.KeysLoaded(_logger, Issuer, keys.Keys.Count, keys.Skipped);
                if (keys.Ignored > 0)
                {
                    EngineLog.KeysIgnored(_logger, Issuer, keys.Ignored, _keyLimits.MaxKeysPerSet);
                }

                var state = new KeysState(keys, _time.GetUtcNow() + _cache.IssuerConfigurationLifetime);
                Volatile.Write(ref _keys, state);
                return state;
            }

            error = FlaatError.Unavailable($"The OP {Issuer} answered its jwks_uri with something that is not a key set");
        }
        else if (result.Kind == OpResultKind.Rejected)
        {
            error = FlaatError.Internal($"The keys of issuer {Issuer} could not be fetched ({jwksUri} answered {result.Problem})");
        }
        else
        {
            EngineLog.OpUnavailable(_logger, Issuer, jwksUri, result.Problem!);
            error = FlaatError.Unavailable($"The OP {Issuer} could not be reached: {result.Problem}", result.RetryAfter);
        }

        if (Volatile.Read(ref _keys) is { } stale)
        {
            EngineLog.ServingStaleKeys(_logger, Issuer, error.Description);
            var state = new KeysState(stale.Keys, _time.GetUtcNow() + _cache.RejectionLifetime, error);
            Volatile.Write(ref _keys, state);
            return state;
        }

        throw error.ToException();
    }

    private sealed record ConfigurationState(IssuerConfiguration? Configuration, FlaatError? Error, DateTimeOffset RefreshAt);

    // Problem: why the last load failed, when these are stale keys served meanwhile.
    private sealed record KeysState(KeySet Keys, DateTimeOffset RefreshAt, FlaatError? Problem = null);
}
