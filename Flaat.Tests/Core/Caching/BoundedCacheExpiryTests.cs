using Flaat.Caching;

namespace Flaat.Tests.Core.Caching;

/// <summary>The edges of <see cref="BoundedCache{TKey, TValue}"/>: expiry at the exact tick, replacing, trimming.</summary>
public sealed class BoundedCacheExpiryTests
{
    [Test]
    public void Set_AlreadyExpiredEntry_DropsTheOldEntryOfThatKey()
    {
        // A newer answer that has already expired must not leave the older, still fresh one to be served.
        var cache = new BoundedCache<int, string>(10);
        cache.Set(1, "old", expiresAtTicks: 1000, nowTicks: 0);

        cache.Set(1, "new", expiresAtTicks: 50, nowTicks: 60);

        Assert.That(cache.TryGet(1, 60, out _), Is.False);
        Assert.That(cache.Count, Is.Zero);
    }

    [Test]
    public void Set_ExpiringAtTheCurrentTick_NotStored()
    {
        var cache = new BoundedCache<int, string>(10);

        cache.Set(1, "v", expiresAtTicks: 10, nowTicks: 10);

        Assert.That(cache.TryGet(1, 9, out _), Is.False);
        Assert.That(cache.Count, Is.Zero);
    }

    [Test]
    public void Set_ExpiringOneTickLater_StoredUntilThatTick()
    {
        var cache = new BoundedCache<int, string>(10);

        cache.Set(1, "v", expiresAtTicks: 11, nowTicks: 10);

        Assert.That(cache.TryGet(1, 10, out var value), Is.True);
        Assert.That(value, Is.EqualTo("v"));
        Assert.That(cache.TryGet(1, 11, out _), Is.False);
        Assert.That(cache.Count, Is.EqualTo(1));
    }

    [Test]
    public void Set_SameKeyTwice_ReplacesTheValueAndCountsOneEntry()
    {
        var cache = new BoundedCache<int, string>(10);

        cache.Set(1, "first", expiresAtTicks: 100, nowTicks: 0);
        cache.Set(1, "second", expiresAtTicks: 200, nowTicks: 0);

        Assert.That(cache.TryGet(1, 150, out var value), Is.True);
        Assert.That(value, Is.EqualTo("second"));
        Assert.That(cache.Count, Is.EqualTo(1));
    }

    [Test]
    public void Remove_PresentAndAbsentKey_CountFollows()
    {
        var cache = new BoundedCache<int, string>(10);
        cache.Set(1, "v", expiresAtTicks: 100, nowTicks: 0);
        cache.Set(2, "v", expiresAtTicks: 100, nowTicks: 0);

        cache.Remove(1);
        cache.Remove(1);
        cache.Remove(3);

        Assert.That(cache.Count, Is.EqualTo(1));
        Assert.That(cache.TryGet(1, 0, out _), Is.False);
        Assert.That(cache.TryGet(2, 0, out _), Is.True);
    }

    [Test]
    public void Set_AtCapacity_NoTrimUntilTheBoundIsExceeded()
    {
        var cache = new BoundedCache<int, string>(10);
        for (var i = 0; i < 10; i++)
        {
            cache.Set(i, "v", expiresAtTicks: 100 + i, nowTicks: 0);
        }

        Assert.That(cache.Count, Is.EqualTo(10));
        Assert.That(cache.TryGet(0, 1, out _), Is.True, "nothing is evicted at the bound itself");
    }

    [Test]
    public void Set_OverCapacity_TrimsToNinetyPercentSoonestExpiringFirst()
    {
        var cache = new BoundedCache<int, string>(20);
        for (var i = 0; i < 21; i++)
        {
            cache.Set(i, "v", expiresAtTicks: 100 + i, nowTicks: 0);
        }

        // 21 entries over a bound of 20: trimmed to 20 - 20 / 10 = 18, the three soonest gone.
        Assert.That(cache.Count, Is.EqualTo(18));
        Assert.Multiple(() =>
        {
            for (var i = 0; i < 21; i++)
            {
                Assert.That(cache.TryGet(i, 1, out _), Is.EqualTo(i >= 3), $"entry {i}");
            }
        });
    }

    [Test]
    public void Set_OverCapacityWithExpiredEntries_ExpiredGoFirstAndFreshStay()
    {
        var cache = new BoundedCache<int, string>(10);
        for (var i = 0; i < 5; i++)
        {
            cache.Set(i, "stale", expiresAtTicks: 10, nowTicks: 0);
        }

        for (var i = 5; i < 10; i++)
        {
            cache.Set(i, "fresh", expiresAtTicks: 1000, nowTicks: 0);
        }

        cache.Set(10, "new", expiresAtTicks: 1000, nowTicks: 10);

        Assert.That(cache.Count, Is.EqualTo(6));
        for (var i = 5; i <= 10; i++)
        {
            Assert.That(cache.TryGet(i, 10, out _), Is.True, $"entry {i}");
        }
    }

    [Test]
    public void Constructor_CapacityBelowOne_Throws() =>
        Assert.That(() => new BoundedCache<int, string>(0), Throws.InstanceOf<ArgumentOutOfRangeException>());
}
