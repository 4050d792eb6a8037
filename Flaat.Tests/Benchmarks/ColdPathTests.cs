using Flaat.Benchmarks;

namespace Flaat.Tests.Benchmarks;

/// <summary>The cold-path measurements of benchmarks/Flaat.Benchmarks, run small (their timing targets are checked by the benchmark run, not here).</summary>
public sealed class ColdPathTests
{
    [Test]
    public async Task ConcurrentFirstRequestsAsync_FiftyRequestsWithOneNewToken_OneUserInfoCall()
    {
        // Act
        var result = await ColdPath.ConcurrentFirstRequestsAsync(50, TimeSpan.FromMilliseconds(20));

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.Allowed, Is.EqualTo(50));
            Assert.That(result.UserInfoCalls, Is.EqualTo(1));
            Assert.That(result.JwksCalls, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ProbeAsync_ThreeOps_FindsTheIssuerOfEveryToken()
    {
        // Act: every round must be allowed, or ProbeAsync throws.
        var result = await ColdPath.ProbeAsync(3, TimeSpan.FromMilliseconds(5), rounds: 2);

        // Assert
        Assert.That(result.AllProviders, Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task TokenStreamAsync_TenTimesTheCacheBound_EveryTokenServedAndHeapFlat()
    {
        // Act
        var result = await ColdPath.TokenStreamAsync(2_000, cacheBound: 100);

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(result.Refused, Is.Zero);
            Assert.That(result.UserInfoCalls, Is.EqualTo(2_000));
            Assert.That(result.Met, Is.True);
        });
    }
}
