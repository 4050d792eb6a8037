using CsCheck;
using Flaat.Caching;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core.Caching;

/// <summary>
/// The in-memory DPoP replay cache (review S4 and N2): a key is live up to and including its expiry;
/// a flood fills it to a distinct "full" refusal without ever admitting a live key; expired buckets
/// make room again. No timing assertions: the clock is a fake one.
/// </summary>
public sealed class DpopReplayCacheTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task TryAddAsync_AtTheExactExpiry_StillAReplayOneTickLaterNew()
    {
        var time = new FakeTimeProvider(Start);
        var cache = new MemoryReplayCache(10, time);
        var expiry = Start.AddSeconds(60).AddMilliseconds(300);
        Assert.That(await cache.TryAddAsync("k", expiry, default), Is.True);

        time.SetUtcNow(expiry);
        var atExpiry = await cache.TryAddAsync("k", expiry.AddSeconds(60), default);
        time.SetUtcNow(expiry.AddTicks(1));
        var after = await cache.TryAddAsync("k", expiry.AddSeconds(60), default);

        Assert.Multiple(() =>
        {
            Assert.That(atExpiry, Is.False);
            Assert.That(after, Is.True);
        });
    }

    [Test]
    public void TryAddAsync_FloodOfDistinctKeys_FullIsADistinct503AndLiveKeysStayReplays()
    {
        var time = new FakeTimeProvider(Start);
        var cache = new MemoryReplayCache(1000, time);
        for (var i = 0; i < 1000; i++)
        {
            Assert.That(cache.TryAddAsync("flood-" + i, Start.AddSeconds(60), default).Result, Is.True);
        }

        var full = Assert.ThrowsAsync<FlaatUnavailableException>(async () => await cache.TryAddAsync("victim", Start.AddSeconds(60), default));
        Assert.Multiple(() =>
        {
            Assert.That(full!.Message, Does.Contain("full"));
            Assert.That(cache.IsFull, Is.True);
            Assert.That(cache.TryAddAsync("flood-7", Start.AddSeconds(60), default).Result, Is.False, "a replay while full is still a replay");
            Assert.That(cache.Count, Is.EqualTo(1000));
        });

        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Multiple(() =>
        {
            Assert.That(cache.TryAddAsync("victim", Start.AddSeconds(121), default).Result, Is.True, "the expired bucket was dropped whole");
            Assert.That(cache.Count, Is.EqualTo(1));
            Assert.That(cache.IsFull, Is.False);
        });
    }

    [Test]
    public void TryAddAsync_RandomOperations_NeverAdmitALiveKeyAndFullOnlyWhenNearlyFullOfLiveKeys()
    {
        // Against a model: a key offered while the model holds it live is never admitted; "full" comes
        // only when the keys live (or expired within the last bucket second) fill the capacity.
        var operation = Gen.Select(Gen.Int[0, 40], Gen.Int[0, 90], Gen.Int[0, 3000]);
        Gen.Select(Gen.Int[1, 25], operation.Array[1, 200]).Sample((capacity, operations) =>
        {
            var time = new FakeTimeProvider(Start);
            var cache = new MemoryReplayCache(capacity, time);
            var model = new Dictionary<string, DateTimeOffset>();
            foreach (var (key, lifetime, advance) in operations)
            {
                time.Advance(TimeSpan.FromMilliseconds(advance));
                var now = time.GetUtcNow();
                var name = "k" + key;
                var expiry = now.AddSeconds(lifetime);
                var live = model.TryGetValue(name, out var known) && known >= now;
                bool added;
                try
                {
                    added = cache.TryAddAsync(name, expiry, default).Result;
                }
                catch (AggregateException e) when (e.InnerException is FlaatUnavailableException)
                {
                    var nearlyLive = model.Count(entry => entry.Value >= now.AddSeconds(-1));
                    if (live || nearlyLive < capacity)
                    {
                        throw new AssertionException($"full with {nearlyLive} keys near life of {capacity}, or for a live key");
                    }

                    continue;
                }
                catch (FlaatUnavailableException)
                {
                    var nearlyLive = model.Count(entry => entry.Value >= now.AddSeconds(-1));
                    if (live || nearlyLive < capacity)
                    {
                        throw new AssertionException($"full with {nearlyLive} keys near life of {capacity}, or for a live key");
                    }

                    continue;
                }

                if (added && live)
                {
                    throw new AssertionException($"{name} was admitted while live");
                }

                if (!added && !live)
                {
                    throw new AssertionException($"{name} was refused as a replay, but it had expired or was never seen");
                }

                if (added)
                {
                    model[name] = expiry;
                }
            }
        }, iter: 400);
    }
}
