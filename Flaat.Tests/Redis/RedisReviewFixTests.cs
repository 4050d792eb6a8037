using Flaat.Caching;
using Flaat.Redis;
using Flaat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using static Flaat.Tests.Redis.RedisSharedCacheTests;

namespace Flaat.Tests.Redis;

/// <summary>
/// The review's findings on the shared cache: a start that warms the request path up, revocation while
/// another replica loads, one subscription when Redis is down at start, waiters that leave, synchronous
/// disposal, and the key prefix in the Data Protection purpose.
/// </summary>
public sealed class RedisReviewFixTests
{
    private RedisServer _redis = null!;

    [SetUp]
    public void StartRedis() => _redis = RedisServer.Start();

    [TearDown]
    public void StopRedis() => _redis.Dispose();

    [Test]
    public async Task StartAsync_InAHost_RunsTheRequestPathOnceBeforeTheFirstRequest()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddFlaat(o => o.TrustedIssuers.Add("https://op.example")).AddRedis(_redis.ConnectionString);
        await using var app = builder.Build();
        await app.StartAsync();

        await using var client = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString + ",allowAdmin=true");
        var server = client.GetServer(client.GetEndPoints()[0]);
        var stats = (await server.InfoAsync("commandstats")).SelectMany(group => group).Select(pair => pair.Key).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(server.ScriptExists(RedisTokenCache.LookScript), Is.True, "the read script is loaded");
            Assert.That(server.ScriptExists(RedisTokenCache.StoreScript), Is.True, "the store script is loaded");
            Assert.That(stats, Does.Contain("cmdstat_publish").And.Contain("cmdstat_get").And.Contain("cmdstat_set"), string.Join(", ", stats));
            Assert.That(_redis.Command("DBSIZE"), Is.EqualTo(":0"), "the warm-up leaves no key behind");
        });
    }

    [Test]
    public async Task RemoveAsync_WhileAnotherReplicaAsksTheOp_ItsAnswerIsNotStoredAndAThirdReplicaAsksAgain()
    {
        await using var op = FakeOpenIdProvider.Start();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op));
        var token = op.CreateOpaqueToken(new FakeUser("mallory"));
        op.SimulateSlow(TimeSpan.FromSeconds(1), FakeOpenIdEndpoint.UserInfo);

        // Replica 0 asks the OP (held there), and the token is revoked at replica 1 meanwhile.
        var loading = fleet[0].AuthenticateAsync(token).AsTask();
        Assert.That(await PollAsync(() => op.RequestCount(FakeOpenIdEndpoint.UserInfo) == 1, TimeSpan.FromSeconds(10)), Is.True, "replica 0 is asking the OP");
        await ((IFlaatTokenRevoker)fleet[1].Engine).RevokeAsync(token, CancellationToken.None);
        var loaded = await loading;
        op.Restore();
        var stored = _redis.Command("EXISTS flaat:v1:o:" + Hash(token));
        var third = await fleet[2].AuthenticateAsync(token);

        Assert.Multiple(() =>
        {
            Assert.That(loaded.UserInfos?.Subject, Is.EqualTo("mallory"), "the load itself was answered");
            Assert.That(stored, Is.EqualTo(":0"), "the answer of a load begun before the revocation is not shared");
            Assert.That(third.UserInfos?.Subject, Is.EqualTo("mallory"));
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(2), "the third replica asked the OP");
        });
    }

    [Test]
    public async Task Notice_RedisDownAtStartThenBack_ARevocationReachesTheReplicaOnce()
    {
        await using var op = FakeOpenIdProvider.Start();
        _redis.Kill();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op), count: 2);
        await Task.Delay(600); // several failed subscription attempts while Redis is down
        _redis.Restart();

        // Until the fleet shares again: a token known at both replicas, revoked at the first, dropped at the second.
        string? token = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (token is null && DateTime.UtcNow < deadline)
        {
            var candidate = op.CreateOpaqueToken(new FakeUser("trent"));
            await fleet[0].AuthenticateAsync(candidate);
            await fleet[1].AuthenticateAsync(candidate);
            try
            {
                await ((IFlaatTokenRevoker)fleet[0].Engine).RevokeAsync(candidate, CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                continue; // Redis not reconnected yet
            }

            // The notice itself, not a drop of every local copy when the connection came back.
            if (await PollAsync(() => Handled(fleet[1], candidate) > 0, TimeSpan.FromSeconds(2)))
            {
                token = candidate;
            }
        }

        Assert.That(token, Is.Not.Null, "the revocation notice reached the other replica once Redis was back");
        await Task.Delay(300); // lets a second sink, if there were one, run too

        Assert.Multiple(() =>
        {
            Assert.That(Handled(fleet[1], token!), Is.EqualTo(1), "one handler for the channel");
            Assert.That(fleet[1].Cache.TryGet(TokenHashOf(token!), DateTimeOffset.UtcNow, out _), Is.False);
        });

        static int Handled(Replica replica, string token)
        {
            var id = TokenHashOf(token).ToString();
            lock (replica.Logs.Entries)
            {
                return replica.Logs.Entries.Count(entry => entry.Id.Id == 3204 && entry.Message.Contains(id, StringComparison.Ordinal));
            }
        }
    }

    [Test]
    public async Task GetAsync_LeaseRanOutWithoutANotice_NoWaiterLeftBehind()
    {
        await using var op = FakeOpenIdProvider.Start();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op), count: 1);
        var token = op.CreateOpaqueToken(new FakeUser("oscar"));
        Assert.That(_redis.Command($"SET flaat:v1:l:{Hash(token)} gone-replica PX 300"), Is.EqualTo("+OK"));

        var result = await fleet[0].AuthenticateAsync(token);

        Assert.Multiple(() =>
        {
            Assert.That(result.UserInfos?.Subject, Is.EqualTo("oscar"));
            Assert.That(fleet[0].LogCount(3205), Is.EqualTo(1), "it waited for the lease");
            Assert.That(fleet[0].Cache.WaiterCount, Is.Zero);
        });
    }

    [Test]
    public async Task GetAsync_LeaseOfAGoneReplicaEndsWhileTwoReplicasWait_OneOfThemAsksTheOp()
    {
        await using var op = FakeOpenIdProvider.Start();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op), count: 2);
        var token = op.CreateOpaqueToken(new FakeUser("peggy"));
        Assert.That(_redis.Command($"SET flaat:v1:l:{Hash(token)} gone-replica PX 400"), Is.EqualTo("+OK"));

        var results = await Task.WhenAll(fleet[0].AuthenticateAsync(token).AsTask(), fleet[1].AuthenticateAsync(token).AsTask());

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.UserInfos?.Subject), Is.All.EqualTo("peggy"));
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1), "the first waiter took the lease, the other waited for its answer");
        });
    }

    [Test]
    public void Dispose_SynchronousServiceProviderAfterUse_DoesNotThrow()
    {
        var services = new ServiceCollection();
        services.AddFlaat(o => o.TrustedIssuers.Add("https://op.example")).AddRedis(_redis.ConnectionString);
        var provider = services.BuildServiceProvider();
        Assert.That(provider.GetRequiredService<IFlaatTokenCache>(), Is.InstanceOf<RedisTokenCache>());

        Assert.That(provider.Dispose, Throws.Nothing);
    }

    [Test]
    public void DecodeIssuer_ValueOfAnotherKeyPrefixOnTheSameKeyRing_Miss()
    {
        var protection = new EphemeralDataProtectionProvider();
        var hex = TokenHash.Compute("a token").ToHexString();
        var value = new OutcomeCodec(protection, "app-a:").EncodeIssuer(hex, "https://op.example");

        Assert.Multiple(() =>
        {
            Assert.That(new OutcomeCodec(protection, "app-a:").DecodeIssuer(hex, value), Is.EqualTo("https://op.example"));
            Assert.That(new OutcomeCodec(protection, "app-b:").DecodeIssuer(hex, value), Is.Null);
        });
    }
}
