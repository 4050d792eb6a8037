using Flaat.Caching;
using Flaat.Testing;
using StackExchange.Redis;

namespace Flaat.Tests.Redis;

/// <summary>
/// Three replicas on one real Redis and one fake OP: one OP round per token across the fleet, shared
/// rejections and issuer memos, revocation everywhere, and keys that never hold a token.
/// </summary>
public sealed class RedisSharedCacheTests
{
    private RedisServer _redis = null!;

    [SetUp]
    public void StartRedis() => _redis = RedisServer.Start();

    [TearDown]
    public void StopRedis() => _redis.Dispose();

    [TestCase(false, false)]
    [TestCase(false, true)]
    [TestCase(true, false)]
    [TestCase(true, true)]
    public async Task AuthenticateAsync_ThreeReplicas200ConcurrentRequests_OneOpRound(bool opaque, bool credentials)
    {
        await using var op = FakeOpenIdProvider.Start(credentials ? new FakeOpenIdProviderOptions { ClientId = "api", ClientSecret = "secret" } : null);
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op, credentials));
        var alice = new FakeUser("alice").WithClaim("email", "alice@example.org");
        var token = opaque ? op.CreateOpaqueToken(alice) : op.CreateJwt(alice);

        using var start = new ManualResetEventSlim();
        var requests = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await fleet[i % 3].AuthenticateAsync(token);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(requests);

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.UserInfos?.Subject), Is.All.EqualTo("alice"));
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1), () => "one userinfo call for the fleet; the replicas' logs:\n"
                + string.Join("\n", fleet.Replicas.SelectMany((r, i) => r.Logs.Lines.Select(line => $"[{i}] {line}"))));
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.Introspection), Is.EqualTo(credentials ? 1 : 0), "one introspection call for the fleet, when it is asked at all");
        });
    }

    [Test]
    public async Task AuthenticateAsync_TokenSeenBefore_AnsweredFromMemoryWithoutRedis()
    {
        await using var op = FakeOpenIdProvider.Start();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op), count: 2);
        var plain = new Flaat.Engine.FlaatAuthenticator(Options(op));
        var token = op.CreateJwt(new FakeUser("alice"));
        await fleet[0].AuthenticateAsync(token);
        var fromRedis = await fleet[1].AuthenticateAsync(token);
        await plain.AuthenticateAsync(new AuthenticationRequest(token));
        var request = new AuthenticationRequest(token);

        // A hung Redis: any operation would cost the budget (an await) and a warning.
        _redis.Suspend();
        int synchronous;
        double perCall, perCallInMemory;
        try
        {
            (synchronous, perCall) = Hits(fleet[1].Engine, request);
            (_, perCallInMemory) = Hits(plain, request);
        }
        finally
        {
            _redis.Resume();
            plain.Dispose();
        }

        Assert.Multiple(() =>
        {
            Assert.That(fromRedis.UserInfos?.Subject, Is.EqualTo("alice"));
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(2), "one for the fleet, one for the engine without Redis");
            Assert.That(synchronous, Is.EqualTo(1000), "every hit answered synchronously");
            Assert.That(fleet[1].LogCount(3200), Is.Zero, "Redis was not touched");
            Assert.That(perCall, Is.LessThanOrEqualTo(perCallInMemory), "a hit allocates no more than with the in-memory cache");
        });

        static (int Synchronous, double PerCall) Hits(Flaat.Engine.FlaatAuthenticator engine, AuthenticationRequest request)
        {
            for (var i = 0; i < 100; i++)
            {
                _ = engine.AuthenticateAsync(request);
            }

            var synchronous = 0;
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                if (engine.AuthenticateAsync(request).IsCompletedSuccessfully)
                {
                    synchronous++;
                }
            }

            return (synchronous, (GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0);
        }
    }

    [Test]
    public async Task AuthenticateAsync_RejectionSeenByOneReplica_ServedByTheOthers()
    {
        await using var op = FakeOpenIdProvider.Start();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op));
        var token = op.CreateOpaqueToken(new FakeUser("mallory"));
        op.RevokeToken(token);

        var first = await fleet[0].AuthenticateAsync(token);
        var second = await fleet[1].AuthenticateAsync(token);
        var third = await fleet[2].AuthenticateAsync(token);
        var ttl = long.Parse(_redis.Command("PTTL flaat:v1:o:" + Hash(token)).TrimStart(':'), System.Globalization.CultureInfo.InvariantCulture);

        Assert.Multiple(() =>
        {
            Assert.That(new[] { first, second, third }.Select(r => r.Error?.StatusCode), Is.All.EqualTo(401));
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1));
            Assert.That(ttl, Is.InRange(1, (long)new FlaatOptions().Cache.RejectionLifetime.TotalMilliseconds), "Redis keeps a rejection no longer than the local rejection lifetime");
        });
    }

    [Test]
    public async Task AuthenticateAsync_IssuerProbedByOneReplica_OthersAskOnlyThatIssuer()
    {
        await using var first = FakeOpenIdProvider.Start();
        await using var second = FakeOpenIdProvider.Start();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => new FlaatOptions { TrustedIssuers = { first.Issuer, second.Issuer } }, count: 2);
        var token = second.CreateOpaqueToken(new FakeUser("bob"));
        var probed = await fleet[0].AuthenticateAsync(token);
        var afterProbe = first.RequestCount(FakeOpenIdEndpoint.UserInfo);

        // The shared outcome lapses (as it does before the memo does); the memo stays.
        Assert.That(_redis.Command("DEL flaat:v1:o:" + Hash(token)), Is.EqualTo(":1"));
        var again = await fleet[1].AuthenticateAsync(token);

        Assert.Multiple(() =>
        {
            Assert.That(probed.UserInfos?.Subject, Is.EqualTo("bob"));
            Assert.That(again.UserInfos?.Subject, Is.EqualTo("bob"));
            Assert.That(afterProbe, Is.EqualTo(1), "the first replica probed both OPs");
            Assert.That(first.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1), "the second replica did not probe the other OP");
            Assert.That(second.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task RevokeAsync_AtOneReplica_EveryReplicaAsksTheOpAgain()
    {
        await using var op = FakeOpenIdProvider.Start();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op));
        var token = op.CreateOpaqueToken(new FakeUser("carol"));
        foreach (var replica in fleet.Replicas)
        {
            Assert.That((await replica.AuthenticateAsync(token)).UserInfos, Is.Not.Null);
        }

        var hash = TokenHashOf(token);
        Assert.That(fleet.Replicas.All(r => r.Cache.TryGet(hash, DateTimeOffset.UtcNow, out _)), "every replica holds the token locally");
        op.RevokeToken(token);

        await ((IFlaatTokenRevoker)fleet[0].Engine).RevokeAsync(token, CancellationToken.None);
        var dropped = await PollAsync(() => fleet.Replicas.All(r => !r.Cache.TryGet(hash, DateTimeOffset.UtcNow, out _)), TimeSpan.FromSeconds(5));
        var inRedis = _redis.Command("EXISTS flaat:v1:o:" + Hash(token));
        var next = await fleet[2].AuthenticateAsync(token);

        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.True, "every replica dropped its local copy within 5 s (the target is 1 s; a loaded machine gets room)");
            Assert.That(inRedis, Is.EqualTo(":0"));
            Assert.That(next.Error?.StatusCode, Is.EqualTo(401), "the next request asked the OP, which refuses the revoked token");
        });
    }

    [Test]
    public async Task AuthenticateAsync_LeaseHeldByAReplicaThatNeverAnswers_AskTheOpWhenItEnds()
    {
        await using var op = FakeOpenIdProvider.Start();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op), count: 1);
        var token = op.CreateOpaqueToken(new FakeUser("judy"));
        Assert.That(_redis.Command($"SET flaat:v1:l:{Hash(token)} gone-replica PX 400"), Is.EqualTo("+OK"));

        var result = await fleet[0].AuthenticateAsync(token);

        Assert.Multiple(() =>
        {
            Assert.That(result.UserInfos?.Subject, Is.EqualTo("judy"), "delayed, not refused");
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Notices_MalformedOrForeign_IgnoredAndARevocationNoticeDropsOnlyItsToken()
    {
        await using var op = FakeOpenIdProvider.Start();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op), count: 1);
        var kept = op.CreateJwt(new FakeUser("kept"));
        var revoked = op.CreateJwt(new FakeUser("revoked"));
        await fleet[0].AuthenticateAsync(kept);
        await fleet[0].AuthenticateAsync(revoked);

        foreach (var notice in new[] { "x", "r:", "r:zz", "r:" + new string('g', 64), "q:" + Hash(kept), "r:" + Hash(kept) + "0", "s:" + Hash(kept), "r:" + Hash(revoked) })
        {
            _redis.Command($"PUBLISH flaat:v1:events \"{notice}\"");
        }

        var dropped = await PollAsync(() => !fleet[0].Cache.TryGet(TokenHashOf(revoked), DateTimeOffset.UtcNow, out _), TimeSpan.FromSeconds(5));

        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.True);
            Assert.That(fleet[0].Cache.TryGet(TokenHashOf(kept), DateTimeOffset.UtcNow, out _), Is.True, "malformed notices changed nothing");
        });
    }

    [Test]
    public async Task RemoveAsync_RedisDown_DropsTheLocalCopyAndThrows()
    {
        await using var op = FakeOpenIdProvider.Start();
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op), count: 1);
        var token = op.CreateJwt(new FakeUser("dave"));
        await fleet[0].AuthenticateAsync(token);
        _redis.Kill();

        Assert.That(async () => await ((IFlaatTokenRevoker)fleet[0].Engine).RevokeAsync(token, CancellationToken.None), Throws.InvalidOperationException.With.Message.Contains("other replicas"));
        Assert.That(fleet[0].Cache.TryGet(TokenHashOf(token), DateTimeOffset.UtcNow, out _), Is.False);
    }

    [Test]
    public async Task Keys_AfterTraffic_OnlyHexHashesNeverATokenOrAClaim()
    {
        await using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { ClientId = "api", ClientSecret = "secret" });
        await using var fleet = await RedisFleet.StartAsync(_redis, () => Options(op, credentials: true), count: 2);
        var tokens = Enumerable.Range(0, 10)
            .Select(i => i % 2 == 0 ? op.CreateJwt(new FakeUser("user" + i).WithClaim("email", $"user{i}@example.org")) : op.CreateOpaqueToken(new FakeUser("user" + i)))
            .Append("not-a-token-any-op-knows")
            .ToList();
        foreach (var token in tokens)
        {
            await fleet[0].AuthenticateAsync(token);
            await fleet[1].AuthenticateAsync(token);
        }

        await using var raw = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var server = raw.GetServer(raw.GetEndPoints()[0]);
        var keys = server.Keys(pattern: "*").Select(k => k.ToString()).ToList();
        var values = keys.Where(k => k.Contains(":o:", StringComparison.Ordinal)).Select(k => (string?)raw.GetDatabase().StringGet(k) ?? string.Empty).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(keys, Is.Not.Empty);
            Assert.That(keys, Has.All.Matches("^flaat:v1:[oil]:[0-9a-f]{64}$"));
            Assert.That(keys.Where(k => tokens.Any(t => k.Contains(t, StringComparison.Ordinal))), Is.Empty);
            Assert.That(values, Has.All.StartsWith("F1p"));
            Assert.That(values.Where(v => v.Contains("example.org", StringComparison.Ordinal) || tokens.Any(t => v.Contains(t, StringComparison.Ordinal))), Is.Empty, "values are protected: no claim, no token in clear");
        });
    }

    internal static FlaatOptions Options(FakeOpenIdProvider op, bool credentials = false)
    {
        // A generous OP deadline: the fake OP's first answer in a loaded test process can be slow.
        var options = new FlaatOptions { TrustedIssuers = { op.Issuer }, RequestTimeout = TimeSpan.FromSeconds(5) };
        if (credentials)
        {
            options.ClientId = "api";
            options.ClientSecret = "secret";
        }

        return options;
    }

    internal static string Hash(string token) => TokenHashOf(token).ToHexString();

    internal static TokenHash TokenHashOf(string token) => TokenHash.Compute(token);

    internal static async Task<bool> PollAsync(Func<bool> condition, TimeSpan upperBound)
    {
        var deadline = DateTime.UtcNow + upperBound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }
}
