using Flaat.Caching;

namespace Flaat.Engine;

/// <summary>
/// Which tokens were revoked lately, so that a load under way at the revocation does not put the
/// token's outcome back into the cache. A load notes the <see cref="Epoch"/> when it starts; before
/// it keeps its outcome it asks whether the token was revoked since. Marks are kept for
/// <see cref="MarkLifetime"/> (far longer than any load may run), bounded like the caches.
/// </summary>
internal sealed class RevocationLedger(int capacity, TimeProvider time)
{
    /// <summary>How long a revocation is remembered.</summary>
    public static readonly TimeSpan MarkLifetime = TimeSpan.FromMinutes(10);

    private readonly BoundedCache<TokenHash, Mark> _marks = new(capacity);
    private long _epoch;

    /// <summary>The number of revocations so far; a load notes it when it starts.</summary>
    public long Epoch => Volatile.Read(ref _epoch);

    /// <summary>Notes that a token was revoked now.</summary>
    public void Revoke(TokenHash hash)
    {
        var epoch = Interlocked.Increment(ref _epoch);
        var now = time.GetUtcNow();
        _marks.Set(hash, new Mark(epoch), (now + MarkLifetime).UtcTicks, now.UtcTicks);
    }

    /// <summary>Whether the token was revoked after the epoch a load noted.</summary>
    public bool RevokedSince(TokenHash hash, long epoch) =>
        Epoch != epoch && _marks.TryGet(hash, time.GetUtcNow().UtcTicks, out var mark) && mark.Epoch > epoch;

    private sealed record Mark(long Epoch);
}
