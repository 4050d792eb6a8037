using Flaat.Errors;
using Flaat.Http;

namespace Flaat.Tokens;

/// <summary>The key set of a <see cref="FlaatJwksClient"/>: fetched, cached, refreshed, and read by the shared <see cref="JwtValidator"/>.</summary>
public sealed partial class FlaatJwksClient
{
    string ISigningKeySource.Owner => _jwksUri.ToString();

    async ValueTask<Result<KeySet>> ISigningKeySource.GetKeysAsync(CancellationToken cancellationToken)
    {
        var keys = await GetKeysAsync(null, cancellationToken).ConfigureAwait(false);
        return keys.TryGetValue(out var current, out var error) ? current.Set : error;
    }

    async ValueTask<Result<KeySet?>> ISigningKeySource.RefreshKeysAsync(KeySet seen, CancellationToken cancellationToken)
    {
        var cached = _cached;
        if (cached is not null && !ReferenceEquals(cached.Set, seen))
        {
            return cached.Set;
        }

        if (cached is not null && _time.GetUtcNow() < cached.FetchedAt + _refreshInterval)
        {
            return Result<KeySet?>.Ok(null);
        }

        var fetched = await FetchAsync(cancellationToken).ConfigureAwait(false);
        return fetched.TryGetValue(out var keys, out var error) ? keys.Set : error;
    }

    /// <summary>The cached keys; fetched again when stale, or when <paramref name="wantedKeyId"/> is unknown and a refresh is allowed.</summary>
    private async ValueTask<Result<PublishedKeys>> GetKeysAsync(string? wantedKeyId, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var cached = _cached;
        if (cached is not null && now < cached.FetchedAt + _keysLifetime)
        {
            if (wantedKeyId is null || cached.Set.HasKeyId(wantedKeyId) || now < cached.FetchedAt + _refreshInterval)
            {
                return cached;
            }
        }

        return await FetchAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<Result<PublishedKeys>> FetchAsync(CancellationToken cancellationToken)
    {
        if (!(await _client.GetJsonAsync(_target, "jwks", _jwksUri, cancellationToken).Catching().ConfigureAwait(false)).TryGetValue(out var result, out var fault))
        {
            return fault;
        }

        switch (result.Kind)
        {
            case OpResultKind.Ok when KeySet.TryParse(result.Body.GetRawText(), _keyLimits) is { } set:
                var keys = new PublishedKeys(set, _time.GetUtcNow());
                _cached = keys;
                return keys;
            case OpResultKind.Ok:
                return FlaatError.Internal($"{_jwksUri} answered with something that is not a key set");
            case OpResultKind.Rejected:
                return FlaatError.Internal($"The keys at {_jwksUri} could not be fetched ({result.Problem})");
            default:
                return FlaatError.Unavailable($"The keys at {_jwksUri} could not be fetched: {result.Problem}", result.RetryAfter);
        }
    }
}
