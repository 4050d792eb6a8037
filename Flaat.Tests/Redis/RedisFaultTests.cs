using System.Diagnostics.Metrics;
using Flaat.Diagnostics;
using Flaat.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static Flaat.Tests.Redis.RedisSharedCacheTests;

namespace Flaat.Tests.Redis;

/// <summary>
/// Redis faults never fail a request: killed mid-traffic, hung (over the budget), restarted. One
/// warning per outage and replica, and the cache is shared again when Redis is back.
/// </summary>
public sealed class RedisFaultTests
{
    private const int Unavailable = 3200;
    private const int Available = 3201;

    private RedisServer _redis = null!;

    [SetUp]
    public void StartRedis() => _redis = RedisServer.Start();

    [TearDown]
    public void StopRedis() => _redis.Dispose();

    [Test]
    public async Task AuthenticateAsync_RedisKilledMidTraffic_NoFailedRequestOneWarningSharedAgainWhenBack()
    {
        await using var op = FakeOpenIdProvider.Start();
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var errors = new MetricCollector<long>(meters, FlaatDiagnostics.MeterName, "flaat.redis.errors");
        using var cacheErrors = new MetricCollector<long>(meters, FlaatDiagnostics.MeterName, "flaat.cache.errors");
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op), meters: meters);
        var tokens = Enumerable.Range(0, 60).Select(i => op.CreateJwt(new FakeUser("user" + i))).ToList();

        var traffic = Enumerable.Range(0, 600).Select(i => Task.Run(async () =>
        {
            if (i == 200)
            {
                _redis.Kill();
            }

            return await fleet[i % 3].AuthenticateAsync(tokens[i % tokens.Count]);
        })).ToList();
        var results = await Task.WhenAll(traffic);
        _redis.Kill();

        // More requests while Redis is away: none waits for it nor fails.
        var during = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => fleet[i % 3].AuthenticateAsync(op.CreateJwt(new FakeUser("later" + i))).AsTask()));
        var warnings = fleet.Replicas.Select(r => r.LogCount(Unavailable)).ToList();

        _redis.Restart();
        var back = await SharedAgainAsync(fleet, op);

        Assert.Multiple(() =>
        {
            Assert.That(results.Concat(during).Where(r => r.UserInfos is null).Select(r => r.Error?.Description), Is.Empty, "no request failed");
            Assert.That(warnings, Has.All.EqualTo(1), "one warning per replica for the outage");
            Assert.That(errors.GetMeasurementSnapshot().Sum(m => m.Value), Is.GreaterThanOrEqualTo(3), "faults are counted");
            Assert.That(cacheErrors.GetMeasurementSnapshot(), Is.Empty, "the cache never threw at the engine");
            Assert.That(back, Is.True, "shared again: one OP call for three replicas");
            Assert.That(fleet.Replicas.Select(r => r.LogCount(Available)), Has.All.EqualTo(1), "one line when Redis is back");
        });
    }

    [Test]
    public async Task AuthenticateAsync_RedisHung_AnsweredWithoutItThenSharedAgain()
    {
        await using var op = FakeOpenIdProvider.Start();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op), count: 2, configure: o => o.OperationBudget = TimeSpan.FromMilliseconds(100));
        Assert.That((await fleet[0].AuthenticateAsync(op.CreateJwt(new FakeUser("warm")))).UserInfos, Is.Not.Null, "discovery and keys are loaded");

        _redis.Suspend();
        AuthenticationResult[] during;
        try
        {
            during = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => fleet[i % 2].AuthenticateAsync(op.CreateJwt(new FakeUser("hung" + i))).AsTask()));
        }
        finally
        {
            _redis.Resume();
        }

        var warnings = fleet.Replicas.Select(r => r.LogCount(Unavailable)).ToList();
        var back = await SharedAgainAsync(fleet, op);

        Assert.Multiple(() =>
        {
            Assert.That(during.Select(r => r.UserInfos?.Subject), Is.EqualTo(Enumerable.Range(0, 40).Select(i => "hung" + i)), "every request was answered by its OP");
            Assert.That(warnings, Has.All.EqualTo(1), "one warning per replica");
            Assert.That(back, Is.True, "shared again");
        });
    }

    [Test]
    public async Task AuthenticateAsync_RedisDownAtStart_RequestsAnsweredAndSharedOnceItComes()
    {
        await using var op = FakeOpenIdProvider.Start();
        _redis.Kill();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op), count: 2);

        var whileDown = await fleet[0].AuthenticateAsync(op.CreateJwt(new FakeUser("gina")));
        _redis.Restart();
        var back = await SharedAgainAsync(fleet, op);

        Assert.Multiple(() =>
        {
            Assert.That(whileDown.UserInfos?.Subject, Is.EqualTo("gina"), () => $"{whileDown.Error?.StatusCode} {whileDown.Error?.Description}\n" + string.Join("\n", fleet.Replicas[0].Logs.Lines));
            Assert.That(back, Is.True, "shared once Redis is there");
        });
    }

    /// <summary>
    /// Whether the replicas share again, within a generous bound: a new token asked at the first replica
    /// and then at the others costs one OP call (Redis is tried again on use, after the retry interval,
    /// and the connection comes back by itself).
    /// </summary>
    private static async Task<bool> SharedAgainAsync(RedisFleet fleet, FakeOpenIdProvider op)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (var round = 0; DateTime.UtcNow < deadline; round++)
        {
            var token = op.CreateOpaqueToken(new FakeUser("again" + round));
            var calls = op.RequestCount(FakeOpenIdEndpoint.UserInfo);
            var results = new List<AuthenticationResult>();
            foreach (var replica in fleet.Replicas)
            {
                results.Add(await replica.AuthenticateAsync(token));
            }

            Assert.That(results.Select(r => r.UserInfos?.Subject), Has.All.EqualTo("again" + round), "no request fails meanwhile");
            if (op.RequestCount(FakeOpenIdEndpoint.UserInfo) - calls == 1)
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
