namespace Flaat.Caching;

/// <summary>
/// The in-memory <see cref="IFlaatReplayCache"/>: one process's memory of DPoP proof identifiers,
/// bounded, in one-second buckets by expiry. Expired buckets are dropped whole, oldest first, before
/// each new key: no scan of the live keys, ever, and each key is forgotten once. A key is kept at
/// least until its expiry (to the end of its bucket, so never earlier). When the cache is full of
/// keys that have not expired it never forgets one (a replay would pass): it throws
/// <see cref="FlaatUnavailableException"/>, a 503 "the server cannot check proofs now", distinct
/// from "used before", since it is not the caller's fault that others filled it. With several
/// replicas, use a shared cache (Redis) so that a proof used at one replica is a replay at all.
/// </summary>
public sealed class MemoryReplayCache : IFlaatReplayCache
{
    private const long BucketTicks = TimeSpan.TicksPerSecond;

    private readonly Dictionary<string, long> _entries = new(StringComparer.Ordinal);
    // Bucket index (the end of its second, in ticks / BucketTicks) -> the keys expiring in it; ordered.
    private readonly SortedList<long, List<string>> _buckets = [];
    private readonly int _capacity;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private int _full;

    /// <summary>Creates the cache.</summary>
    /// <param name="capacity">The most keys kept at once; at least 1.</param>
    /// <param name="timeProvider">The clock; the system's when <see langword="null"/>.</param>
    public MemoryReplayCache(int capacity = 100_000, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How many keys are kept, expired ones included until their bucket is dropped.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Whether the last key offered found the cache full of live keys (for health and tests).</summary>
    internal bool IsFull => Volatile.Read(ref _full) != 0;

    /// <summary>The message of the refusal when the cache is full.</summary>
    internal const string FullMessage = "The DPoP replay cache of this server is full of live proof identifiers; try again later";

    /// <inheritdoc/>
    /// <exception cref="FlaatUnavailableException">The cache is full of keys that have not expired: the key can be neither remembered nor admitted.</exception>
    public ValueTask<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return TryAdd(key, expiresAt.UtcTicks, out var full)
            ? new(true)
            : full ? ValueTask.FromException<bool>(new FlaatUnavailableException(FullMessage, TimeSpan.FromSeconds(1))) : new(false);
    }

    /// <summary>Remembers the key; <see langword="false"/> when it is live already (a replay) or the cache is full (<paramref name="full"/>).</summary>
    internal bool TryAdd(string key, long expiresAtTicks, out bool full)
    {
        full = false;
        var now = _time.GetUtcNow().UtcTicks;
        lock (_gate)
        {
            DropExpired(now);

            // A key is live up to and including its expiry: at the exact edge a proof is still
            // accepted for its age (DpopProof), so its identifier must still be remembered.
            if (_entries.TryGetValue(key, out var existing) && existing >= now)
            {
                return false;
            }

            if (!_entries.ContainsKey(key) && _entries.Count >= _capacity)
            {
                full = true;
                Volatile.Write(ref _full, 1);
                return false;
            }

            Volatile.Write(ref _full, 0);
            _entries[key] = expiresAtTicks;
            var index = BucketOf(expiresAtTicks);
            if (!_buckets.TryGetValue(index, out var bucket))
            {
                bucket = [];
                _buckets.Add(index, bucket);
            }

            bucket.Add(key);
            return true;
        }
    }

    // The bucket holding an expiry: the index of the second it ends in, rounded up, so a bucket ends
    // at or after every expiry in it.
    private static long BucketOf(long ticks) => ticks / BucketTicks + (ticks % BucketTicks == 0 ? 0 : 1);

    /// <summary>Drops the buckets that ended before <paramref name="now"/>, oldest first, and stops at the first live one.</summary>
    private void DropExpired(long now)
    {
        while (_buckets.Count > 0 && _buckets.Keys[0] * BucketTicks < now)
        {
            foreach (var key in _buckets.Values[0])
            {
                // A key expired and added again lives in a later bucket: only its own entry goes.
                if (_entries.TryGetValue(key, out var expiry) && expiry < now)
                {
                    _entries.Remove(key);
                }
            }

            _buckets.RemoveAt(0);
        }
    }
}
