using Flaat.Caching;

namespace Flaat.Tests.Core.Caching;

public sealed class BoundedCacheTests
{
    [Test]
    public void TryGet_ExpiredEntry_NotServed()
    {
        var cache = new BoundedCache<int, string>(10);
        cache.Set(1, "one", expiresAtTicks: 100, nowTicks: 0);

        Assert.That(cache.TryGet(1, 99, out var fresh), Is.True);
        Assert.That(fresh, Is.EqualTo("one"));
        Assert.That(cache.TryGet(1, 100, out _), Is.False);
    }

    [Test]
    public void Set_FullOfExpiredEntries_EvictsWithoutThrowing()
    {
        // flaat bug #84: evicting an expired entry from a full cache raised.
        var cache = new BoundedCache<int, string>(100);
        for (var i = 0; i < 100; i++)
        {
            cache.Set(i, "v", expiresAtTicks: 10, nowTicks: 0);
        }

        Assert.DoesNotThrow(() => cache.Set(1000, "new", expiresAtTicks: 1000, nowTicks: 500));
        Assert.That(cache.Count, Is.EqualTo(1));
        Assert.That(cache.TryGet(1000, 500, out _), Is.True);
    }

    [Test]
    public void Set_OverCapacity_SoonestExpiringGoFirstAndBoundHolds()
    {
        var cache = new BoundedCache<int, string>(10);
        for (var i = 0; i < 10; i++)
        {
            cache.Set(i, "v" + i, expiresAtTicks: 1000 + i, nowTicks: 0);
        }

        cache.Set(99, "late", expiresAtTicks: 5000, nowTicks: 0);

        Assert.That(cache.Count, Is.LessThanOrEqualTo(10));
        Assert.That(cache.TryGet(0, 1, out _), Is.False, "the entry expiring soonest was evicted");
        Assert.That(cache.TryGet(9, 1, out _), Is.True);
        Assert.That(cache.TryGet(99, 1, out _), Is.True);
    }

    [Test]
    public void Set_ConcurrentWriters_NeverExceedsBoundByMuchAndNeverThrows()
    {
        var cache = new BoundedCache<int, string>(50);

        Assert.DoesNotThrow(() => Parallel.For(0, 5000, i => cache.Set(i, "v", expiresAtTicks: 10 + (i % 7), nowTicks: i % 3)));
        Assert.That(cache.Count, Is.LessThanOrEqualTo(50 + Environment.ProcessorCount));
    }

    [Test]
    public void TokenHash_SameTokenSameHash_OtherTokenOtherHash()
    {
        var a = TokenHash.Compute("token-a");
        var a2 = TokenHash.Compute(new string("token-a".ToCharArray()));
        var b = TokenHash.Compute("token-b");
        var longToken = TokenHash.Compute(new string('x', 10_000));

        Assert.That(a, Is.EqualTo(a2));
        Assert.That(a, Is.Not.EqualTo(b));
        Assert.That(longToken, Is.EqualTo(TokenHash.Compute(new string('x', 10_000))));
        Assert.That(a.ToString(), Does.Not.Contain("token"));
    }
}
