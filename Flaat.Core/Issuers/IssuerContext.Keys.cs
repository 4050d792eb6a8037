using Flaat.Http;
using Flaat.Tokens;

namespace Flaat.Issuers;

/// <summary>The signing keys of an issuer: loaded from its <c>jwks_uri</c>, refreshed when a token names an unknown key, served stale while the OP is briefly down.</summary>
internal sealed partial class IssuerContext
{
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

    private async Task<KeysState> LoadKeysAsync()
    {
        await Task.Yield();
        var configuration = await GetConfigurationAsync(_lifetime).ConfigureAwait(false);
        if (configuration.JwksUri is not { } jwksUri)
        {
            var missing = FlaatError.Internal($"Issuer {Issuer} publishes no jwks_uri; its JWTs cannot be verified");
            Failed(missing, _time.GetUtcNow());
            throw missing.ToException();
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

                var loadedAt = _time.GetUtcNow();
                var state = new KeysState(keys, loadedAt + _cache.IssuerConfigurationLifetime, loadedAt);
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

        var now = _time.GetUtcNow();
        Failed(error, now);
        if (Volatile.Read(ref _keys) is { } stale)
        {
            EngineLog.ServingStaleKeys(_logger, Issuer, error.Description);
            var state = new KeysState(stale.Keys, now + _cache.StaleConfigurationLifetime, stale.LoadedAt, error);
            Volatile.Write(ref _keys, state);
            return state;
        }

        throw error.ToException();
    }

    // LoadedAt: when Keys were fetched; Problem: why the last load failed, when these are stale keys served meanwhile.
    private sealed record KeysState(KeySet Keys, DateTimeOffset RefreshAt, DateTimeOffset LoadedAt, FlaatError? Problem = null);
}
