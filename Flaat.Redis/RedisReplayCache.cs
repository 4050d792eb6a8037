using System.Collections.Concurrent;
using Flaat.Caching;
using StackExchange.Redis;

namespace Flaat.Redis;

/// <summary>
/// The shared memory of one-time values (DPoP proofs' <c>jti</c>): SET NX with the value's expiry, so a
/// value used at one replica is a replay at every other. Every value is also remembered locally, so a
/// replay at the same replica is seen without Redis, and while Redis is down each replica still sees
/// the replays it receives itself.
/// </summary>
internal sealed class RedisReplayCache(RedisStore store, TimeProvider time) : IFlaatReplayCache
{
    private const int SweepEvery = 1024;

    private readonly ConcurrentDictionary<string, long> _local = new(StringComparer.Ordinal);
    private readonly string _prefix = store.KeyPrefix + "v1:j:";
    private int _adds;

    /// <inheritdoc />
    public async ValueTask<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var now = time.GetUtcNow();
        Sweep(now);
        if (!_local.TryAdd(key, expiresAt.UtcTicks))
        {
            if (_local.TryGetValue(key, out var until) && until > now.UtcTicks)
            {
                return false;
            }

            _local[key] = expiresAt.UtcTicks;
        }

        var lifetime = expiresAt - now;
        if (lifetime < TimeSpan.FromMilliseconds(1))
        {
            return true;
        }

        RedisKey redisKey = _prefix + key;
        var (ok, added) = await store.RunAsync("replay", db => db.StringSetAsync(redisKey, 1, lifetime, When.NotExists), cancellationToken).ConfigureAwait(false);

        // Redis down: the local memory decides.
        return !ok || added;
    }

    private void Sweep(DateTimeOffset now)
    {
        if (Interlocked.Increment(ref _adds) % SweepEvery != 0)
        {
            return;
        }

        foreach (var entry in _local)
        {
            if (entry.Value <= now.UtcTicks)
            {
                _local.TryRemove(entry);
            }
        }
    }
}
