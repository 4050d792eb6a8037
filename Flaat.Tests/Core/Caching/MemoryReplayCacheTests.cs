using Flaat.Caching;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core.Caching;

public sealed class MemoryReplayCacheTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    [Test]
    public async Task TryAddAsync_SameKeyTwice_SecondIsAReplay()
    {
        var cache = new MemoryReplayCache(10, _time);
        var until = _time.GetUtcNow().AddMinutes(1);

        Assert.That(await cache.TryAddAsync("a", until, CancellationToken.None), Is.True);
        Assert.That(await cache.TryAddAsync("a", until, CancellationToken.None), Is.False);
        Assert.That(await cache.TryAddAsync("b", until, CancellationToken.None), Is.True);
    }

    [Test]
    public async Task TryAddAsync_AfterTheKeyExpired_IsNewAgain()
    {
        var cache = new MemoryReplayCache(10, _time);
        await cache.TryAddAsync("a", _time.GetUtcNow().AddMinutes(1), CancellationToken.None);
        // Live up to and including its expiry (a proof is still accepted at that instant): new just after.
        _time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromTicks(1));

        Assert.That(await cache.TryAddAsync("a", _time.GetUtcNow().AddMinutes(1), CancellationToken.None), Is.True);
    }

    [Test]
    public async Task TryAddAsync_FullOfLiveKeys_RefusesRatherThanForget()
    {
        var cache = new MemoryReplayCache(2, _time);
        var until = _time.GetUtcNow().AddMinutes(1);
        await cache.TryAddAsync("a", until, CancellationToken.None);
        await cache.TryAddAsync("b", until, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.ThrowsAsync<FlaatUnavailableException>(async () => await cache.TryAddAsync("c", until, CancellationToken.None), "full: a 503, not a replay");
            Assert.That(await cache.TryAddAsync("a", until, CancellationToken.None), Is.False, "nothing was forgotten");
            Assert.That(cache.Count, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task TryAddAsync_FullWithExpiredKeys_TrimsThemAndAdds()
    {
        var cache = new MemoryReplayCache(2, _time);
        await cache.TryAddAsync("a", _time.GetUtcNow().AddSeconds(10), CancellationToken.None);
        await cache.TryAddAsync("b", _time.GetUtcNow().AddMinutes(1), CancellationToken.None);
        // Keys go with their one-second bucket, once its end has passed.
        _time.Advance(TimeSpan.FromSeconds(11));

        Assert.That(await cache.TryAddAsync("c", _time.GetUtcNow().AddMinutes(1), CancellationToken.None), Is.True);
        Assert.That(cache.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task TryAddAsync_ManyThreadsOneKey_ExactlyOneFirstUse()
    {
        var cache = new MemoryReplayCache(1000, _time);
        var until = _time.GetUtcNow().AddMinutes(1);
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(async () => await cache.TryAddAsync("k", until, CancellationToken.None))));

        Assert.That(results.Count(r => r), Is.EqualTo(1));
    }
}
