using System.Collections.Concurrent;

namespace Flaat.Caching;

/// <summary>
/// A thread-safe cache with a bound on its entries and an expiry per entry. Reads are lock-free and
/// allocation-free. When the bound is exceeded, expired entries go first, then the entries that
/// would expire soonest. No path throws on eviction (flaat bug #84).
/// </summary>
/// <typeparam name="TKey">The key.</typeparam>
/// <typeparam name="TValue">The value, a reference type.</typeparam>
internal sealed class BoundedCache<TKey, TValue>
    where TKey : notnull, IEquatable<TKey>
    where TValue : class
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new();
    private readonly int _capacity;
    private readonly Lock _trimGate = new();
    private int _count;

    public BoundedCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>The number of entries, expired ones included until they are trimmed.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Reads an entry that has not expired at <paramref name="nowTicks"/> (UTC ticks).</summary>
    public bool TryGet(TKey key, long nowTicks, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TValue? value)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.ExpiresAtTicks > nowTicks)
        {
            value = entry.Value;
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Stores an entry until <paramref name="expiresAtTicks"/>; an entry that has already expired is not stored.</summary>
    public void Set(TKey key, TValue value, long expiresAtTicks, long nowTicks)
    {
        if (expiresAtTicks <= nowTicks)
        {
            Remove(key);
            return;
        }

        var entry = new Entry(value, expiresAtTicks);
        while (true)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                if (_entries.TryUpdate(key, entry, existing))
                {
                    break;
                }
            }
            else if (_entries.TryAdd(key, entry))
            {
                if (Interlocked.Increment(ref _count) > _capacity)
                {
                    Trim(nowTicks);
                }

                break;
            }
        }
    }

    /// <summary>Removes an entry if present.</summary>
    public void Remove(TKey key)
    {
        if (_entries.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private void Trim(long nowTicks)
    {
        // One trimmer at a time; the others carry on (the cache may briefly exceed its bound). A writer that
        // finds the gate taken leaves its excess to the trimmer, so the trimmer checks the count again after
        // leaving the gate: otherwise entries added during a trim were never trimmed and, under many writers,
        // the cache grew far past its bound.
        while (Count > _capacity && _trimGate.TryEnter())
        {
            try
            {
                TrimOnce(nowTicks);
            }
            finally
            {
                _trimGate.Exit();
            }
        }
    }

    private void TrimOnce(long nowTicks)
    {
        // The enumerator of a ConcurrentDictionary is a moment-in-time-tolerant walk: it never throws
        // when entries change under it.
        var live = new List<KeyValuePair<TKey, Entry>>(Count);
        foreach (var pair in _entries)
        {
            if (pair.Value.ExpiresAtTicks <= nowTicks)
            {
                RemoveExact(pair);
            }
            else
            {
                live.Add(pair);
            }
        }

        // Leave a tenth free so that trimming is rare.
        var target = _capacity - Math.Max(1, _capacity / 10);
        var excess = Count - target;
        if (excess <= 0)
        {
            return;
        }

        live.Sort(static (x, y) => x.Value.ExpiresAtTicks.CompareTo(y.Value.ExpiresAtTicks));
        for (var i = 0; i < live.Count && excess > 0; i++)
        {
            if (RemoveExact(live[i]))
            {
                excess--;
            }
        }
    }

    private bool RemoveExact(KeyValuePair<TKey, Entry> pair)
    {
        // Only the entry seen: a fresher value stored meanwhile under the same key is kept.
        if (_entries.TryRemove(pair))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    private sealed class Entry(TValue value, long expiresAtTicks)
    {
        public TValue Value { get; } = value;

        public long ExpiresAtTicks { get; } = expiresAtTicks;
    }
}
