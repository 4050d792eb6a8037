using System.Collections.Concurrent;

namespace Flaat.Caching;

/// <summary>
/// The in-memory <see cref="IFlaatReplayCache"/>: one process's memory of DPoP proof identifiers,
/// bounded. When it is full of entries that have not expired it refuses new keys (a proof is then
/// refused as a possible replay) rather than forget one and let a replay through. With several
/// replicas, use a shared cache (Redis) so that a proof used at one replica is a replay at all.
/// </summary>
public sealed class MemoryReplayCache : IFlaatReplayCache
{
    private readonly ConcurrentDictionary<string, long> _entries = new(StringComparer.Ordinal);
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly Lock _trimGate = new();
    private int _count;

    /// <summary>Creates the cache.</summary>
    /// <param name="capacity">The most keys kept at once; at least 1.</param>
    /// <param name="timeProvider">The clock; the system's when <see langword="null"/>.</param>
    public MemoryReplayCache(int capacity = 100_000, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How many keys are kept, expired ones included until they are trimmed.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc/>
    public ValueTask<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new(TryAdd(key, expiresAt.UtcTicks));
    }

    private bool TryAdd(string key, long expiresAtTicks)
    {
        var now = _time.GetUtcNow().UtcTicks;
        while (true)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                if (existing > now)
                {
                    return false;
                }

                // Expired: the key may be used again (its proof is refused for its age anyway).
                if (_entries.TryUpdate(key, expiresAtTicks, existing))
                {
                    return true;
                }

                continue;
            }

            if (Volatile.Read(ref _count) >= _capacity && !Trim(now))
            {
                return false;
            }

            if (_entries.TryAdd(key, expiresAtTicks))
            {
                Interlocked.Increment(ref _count);
                return true;
            }
        }
    }

    /// <summary>Removes expired keys; whether there is room afterwards.</summary>
    private bool Trim(long now)
    {
        lock (_trimGate)
        {
            if (Volatile.Read(ref _count) >= _capacity)
            {
                foreach (var entry in _entries)
                {
                    if (entry.Value <= now && ((ICollection<KeyValuePair<string, long>>)_entries).Remove(entry))
                    {
                        Interlocked.Decrement(ref _count);
                    }
                }
            }

            return Volatile.Read(ref _count) < _capacity;
        }
    }
}
