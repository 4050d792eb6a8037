using Flaat.Caching;
using Flaat.Engine;
using Flaat.Testing;

namespace Flaat.Tests.Core.Caching;

/// <summary>
/// The parts of the cache seam a store shared by replicas needs: revocation, the memory of a probed
/// token's issuer, and the release of a load that kept nothing.
/// </summary>
public sealed class SharedCacheSeamTests
{
    private FakeOpenIdProvider _a = null!;
    private FakeOpenIdProvider _b = null!;

    [SetUp]
    public void StartOps()
    {
        _a = FakeOpenIdProvider.Start();
        _b = FakeOpenIdProvider.Start();
    }

    [TearDown]
    public void StopOps()
    {
        _a.Dispose();
        _b.Dispose();
    }

    private FlaatAuthenticator Engine(IFlaatTokenCache cache, params FakeOpenIdProvider[] ops)
    {
        var options = EngineTestKit.OptionsFor(ops.Length == 0 ? [_a, _b] : ops);
        options.Probing.MaxParallelism = 1;
        return new FlaatAuthenticator(options, tokenCache: cache);
    }

    [Test]
    public async Task RevokeAsync_CachedToken_NextRequestAsksTheOpAgain()
    {
        var cache = new JsonTokenCache();
        using var engine = Engine(cache, _b);
        var token = _b.CreateOpaqueToken(new FakeUser("bob"));
        Assert.That((await engine.AuthenticateAsync(new AuthenticationRequest(token))).Error, Is.Null);
        Assert.That((await engine.AuthenticateAsync(new AuthenticationRequest(token))).Error, Is.Null);
        Assert.That(_b.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1), "the second request was served from the cache");
        _b.RevokeToken(token);

        await engine.RevokeAsync(token, CancellationToken.None);
        Assert.That(cache.Stored.Keys, Does.Not.Contain(Hash(token).ToHexString()));
        var after = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(after.Error?.StatusCode, Is.EqualTo(401), "the OP refuses the revoked token");
            Assert.That(_b.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task RevokeAsync_DefaultMemoryCache_DropsTheOutcome()
    {
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_b));
        var token = _b.CreateOpaqueToken(new FakeUser("bob"));
        await engine.AuthenticateAsync(new AuthenticationRequest(token));
        _b.RevokeToken(token);

        await engine.RevokeAsync(Hash(token), CancellationToken.None);

        Assert.That((await engine.AuthenticateAsync(new AuthenticationRequest(token))).Error?.StatusCode, Is.EqualTo(401));
    }

    [Test]
    public async Task RevokeAsync_WhileTheTokensLoadIsUnderWay_TheLoadsAnswerIsNotKept()
    {
        var cache = new JsonTokenCache();
        using var engine = Engine(cache, _b);
        var token = _b.CreateOpaqueToken(new FakeUser("bob"));
        _b.SimulateSlow(TimeSpan.FromMilliseconds(500), FakeOpenIdEndpoint.UserInfo);
        var load = engine.AuthenticateAsync(new AuthenticationRequest(token)).AsTask();
        while (_b.RequestCount(FakeOpenIdEndpoint.UserInfo) == 0 && !load.IsCompleted)
        {
            await Task.Delay(5);
        }

        await engine.RevokeAsync(token, CancellationToken.None);
        var answered = await load;
        _b.Restore();
        _b.RevokeToken(token);

        Assert.Multiple(() =>
        {
            Assert.That(answered.Error, Is.Null, "the answer the OP gave before the revocation reaches the waiting request");
            Assert.That(cache.Stored, Is.Empty, "but it is not kept");
            Assert.That(cache.Released, Does.Contain(Hash(token)), "and waiting replicas are let go");
        });
        Assert.That((await engine.AuthenticateAsync(new AuthenticationRequest(token))).Error?.StatusCode, Is.EqualTo(401), "the next request asks the OP");
    }

    [Test]
    public async Task AuthenticateAsync_TokensRefusedWithoutTheOp_NeverTouchTheCache()
    {
        var cache = new JsonTokenCache();
        using var engine = Engine(cache, _b);
        var expired = _b.CreateJwt(new FakeUser("bob"), new FakeTokenOptions { Lifetime = TimeSpan.FromMinutes(-10) });
        var foreign = EngineTestKit.Sign(
            new System.Text.Json.Nodes.JsonObject { ["alg"] = "RS256", ["typ"] = "JWT" },
            EngineTestKit.Payload("https://op.elsewhere.example"),
            _ => new byte[256]);

        foreach (var token in new[] { expired, foreign })
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.That((await engine.AuthenticateAsync(new AuthenticationRequest(token))).Error?.StatusCode, Is.EqualTo(401), token);
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(cache.Reads, Is.Zero, "no shared read for a token refused on the spot");
            Assert.That(cache.Writes, Is.Zero, "nor a write");
            Assert.That(cache.Released, Is.Empty, "nor a lease to release");
        });
    }

    [Test]
    public void RevokeAsync_CacheFails_TheCallerLearnsIt()
    {
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_b), tokenCache: new RemovalFails());

        Assert.That(async () => await engine.RevokeAsync("some-token", CancellationToken.None), Throws.InstanceOf<IOException>());
    }

    [Test]
    public async Task AuthenticateAsync_IssuerProbedByAnotherReplica_AsksOnlyThatIssuer()
    {
        var shared = new JsonTokenCache();
        var token = _b.CreateOpaqueToken(new FakeUser("bob"));
        using (var first = Engine(shared))
        {
            Assert.That((await first.AuthenticateAsync(new AuthenticationRequest(token))).Error, Is.Null);
        }

        Assert.That(shared.Issuers[Hash(token).ToHexString()], Is.EqualTo(_b.Issuer));
        shared.Stored.Clear();
        _a.ResetRequestCounts();
        _b.ResetRequestCounts();
        using var second = Engine(shared);

        var result = await second.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(result.Error, Is.Null);
            Assert.That(result.UserInfos!.Issuer, Is.EqualTo(_b.Issuer));
            Assert.That(_a.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero, "no probe: the shared memory named b");
            Assert.That(_b.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task AuthenticateAsync_SharedIssuerNotTrustedHere_Probes()
    {
        var shared = new JsonTokenCache();
        var token = _b.CreateOpaqueToken(new FakeUser("bob"));
        shared.Issuers[Hash(token).ToHexString()] = "https://op.elsewhere.example";
        using var engine = Engine(shared);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(result.Error, Is.Null);
            Assert.That(result.UserInfos!.Issuer, Is.EqualTo(_b.Issuer));
            Assert.That(_a.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1), "the untrusted name was ignored and the OPs probed");
        });
    }

    [Test]
    public async Task AuthenticateAsync_SharedIssuerNamesTheWrongTrustedOp_ThatOpRefusesAndNoOtherUserIsMade()
    {
        // A shared store is written by others: naming a trusted OP that did not issue the token makes
        // that OP refuse it; the user is never taken from anywhere but the OP asked.
        var shared = new JsonTokenCache();
        var token = _b.CreateOpaqueToken(new FakeUser("bob"));
        shared.Issuers[Hash(token).ToHexString()] = _a.Issuer;
        using var engine = Engine(shared);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(_b.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero);
    }

    [Test]
    public async Task AuthenticateAsync_OpDown_LoadReleasedAndNothingKept()
    {
        var shared = new JsonTokenCache();
        using var engine = Engine(shared, _b);
        var token = _b.CreateOpaqueToken(new FakeUser("bob"));
        _b.SimulateDown(FakeOpenIdEndpoint.UserInfo);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
            Assert.That(shared.Stored, Is.Empty);
            Assert.That(shared.Released, Is.EqualTo(new[] { Hash(token) }));
        });
    }

    [Test]
    public async Task AuthenticateAsync_OutcomeKept_NotReleased()
    {
        var shared = new JsonTokenCache();
        using var engine = Engine(shared, _b);

        await engine.AuthenticateAsync(new AuthenticationRequest(_b.CreateJwt(new FakeUser("alice"))));

        Assert.That(shared.Stored, Has.Count.EqualTo(1));
        Assert.That(shared.Released, Is.Empty);
    }

    [Test]
    public void TryParse_HexOfAHash_SameHash()
    {
        var hash = Hash("some-token");

        Assert.That(TokenHash.TryParse(hash.ToHexString(), out var read), Is.True);
        Assert.That(read, Is.EqualTo(hash));
        Assert.That(TokenHash.TryParse(hash.ToHexString().ToUpperInvariant(), out read) && read == hash, Is.True);
    }

    [TestCase("")]
    [TestCase("00")]
    [TestCase("0000000000000000000000000000000000000000000000000000000000000000ff")]
    [TestCase("000000000000000000000000000000000000000000000000000000000000000g")]
    [TestCase("00000000000000000000000000000000000000000000000000000000000000 0")]
    public void TryParse_NotSixtyFourHexDigits_False(string text)
    {
        Assert.That(TokenHash.TryParse(text, out var read), Is.False);
        Assert.That(read, Is.EqualTo(default(TokenHash)));
    }

    [Test]
    public void TryParse_RandomText_NeverThrowsAndAcceptsOnlyHashes()
    {
        var random = new Random(1309);
        const string alphabet = "0123456789abcdefABCDEFxyz -+\u00e9\ud83d";
        for (var i = 0; i < 5000; i++)
        {
            var chars = new char[random.Next(0, 70)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }

            var text = new string(chars);
            var ok = TokenHash.TryParse(text, out var read);
            var isHex = text.Length == 64 && text.All(Uri.IsHexDigit);

            Assert.That(ok, Is.EqualTo(isHex), text);
            if (ok)
            {
                Assert.That(read.ToHexString(), Is.EqualTo(text.ToLowerInvariant()));
            }
        }
    }

    // The SHA-256 of the token's UTF-8, computed here independently of the engine.
    private static TokenHash Hash(string token) =>
        TokenHash.TryParse(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))), out var hash) ? hash : throw new InvalidOperationException();

    /// <summary>A store whose removal fails (Redis down when a revocation comes in).</summary>
    private sealed class RemovalFails : IFlaatTokenCache
    {
        public bool TryGet(TokenHash key, DateTimeOffset now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TokenOutcome? outcome)
        {
            outcome = null;
            return false;
        }

        public ValueTask<TokenOutcome?> GetAsync(TokenHash key, CancellationToken cancellationToken) => new((TokenOutcome?)null);

        public ValueTask SetAsync(TokenHash key, TokenOutcome outcome, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask RemoveAsync(TokenHash key, CancellationToken cancellationToken) => throw new IOException("Redis is down");
    }
}
