using System.Text.Json;
using Flaat.Caching;
using Flaat.Engine;
using Flaat.Testing;

namespace Flaat.Tests.Core.Caching;

/// <summary>The token cache seam: outcomes are plain data, and a cache the user supplies is the one used.</summary>
public sealed class TokenCacheSeamTests
{
    private FakeOpenIdProvider _op = null!;

    [SetUp]
    public void StartOp() => _op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { ClientId = "api", ClientSecret = "secret" });

    [TearDown]
    public void StopOp() => _op.Dispose();

    private FlaatAuthenticator Engine(IFlaatTokenCache cache)
    {
        var options = EngineTestKit.OptionsFor(_op);
        options.ClientId = "api";
        options.ClientSecret = "secret";
        return new FlaatAuthenticator(options, tokenCache: cache);
    }

    private int OpRequests() =>
        _op.RequestCount(FakeOpenIdEndpoint.UserInfo) + _op.RequestCount(FakeOpenIdEndpoint.Introspection)
        + _op.RequestCount(FakeOpenIdEndpoint.Jwks) + _op.RequestCount(FakeOpenIdEndpoint.Discovery);

    [Test]
    public async Task AuthenticateAsync_NewToken_OutcomeStoredInTheUsersCache()
    {
        var cache = new JsonTokenCache();
        using var engine = Engine(cache);
        var token = _op.CreateJwt(new FakeUser("bob").WithClaim("email", "bob@example.org"));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error, Is.Null);
        Assert.That(cache.Writes, Is.EqualTo(1));
        var stored = JsonSerializer.Deserialize<TokenOutcome>(cache.Stored[TokenHash.Compute(token).ToHexString()])!;
        Assert.Multiple(() =>
        {
            Assert.That(stored.Issuer, Is.EqualTo(_op.Issuer));
            Assert.That(stored.StatusCode, Is.Null);
            Assert.That(JsonDocument.Parse(stored.UserInfo!).RootElement.GetProperty("email").GetString(), Is.EqualTo("bob@example.org"));
            Assert.That(stored.Introspection, Is.Not.Null);
            Assert.That(stored.ExpiresAt, Is.GreaterThan(DateTimeOffset.UtcNow));
            Assert.That(cache.Stored.Values.Single(), Does.Not.Contain(token.Split('.')[2]), "the signature (and so the token) is never stored");
        });
    }

    [Test]
    public async Task AuthenticateAsync_TokenKeptByAnotherReplica_ServedFromTheUsersCacheWithoutAnyOpCall()
    {
        var shared = new JsonTokenCache();
        var token = _op.CreateJwt(new FakeUser("bob").WithClaim("email", "bob@example.org"));
        using (var first = Engine(shared))
        {
            await first.AuthenticateAsync(new AuthenticationRequest(token));
        }

        var callsBefore = OpRequests();
        using var second = Engine(shared);

        var result = await second.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(result.Error, Is.Null);
            Assert.That(result.UserInfos!.Subject, Is.EqualTo("bob"));
            Assert.That(result.UserInfos.GetString("email"), Is.EqualTo("bob@example.org"));
            Assert.That(OpRequests(), Is.EqualTo(callsBefore), "no discovery, keys, userinfo or introspection call");
            Assert.That(shared.Writes, Is.EqualTo(1), "a hit is not written again");
        });
    }

    [Test]
    public async Task AuthenticateAsync_OutcomeInTheUsersMemoryCache_AnsweredSynchronouslyWithoutAnyOpCall()
    {
        var shared = new JsonTokenCache();
        var token = _op.CreateJwt(new FakeUser("bob"));
        using (var replica = Engine(shared))
        {
            await replica.AuthenticateAsync(new AuthenticationRequest(token));
        }

        var memory = new UsersMemoryCache(JsonSerializer.Deserialize<TokenOutcome>(shared.Stored.Values.Single())!);
        var callsBefore = OpRequests();
        using var engine = Engine(memory);

        var first = engine.AuthenticateAsync(new AuthenticationRequest(token));
        var second = engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(first.IsCompletedSuccessfully, Is.True, "TryGet answers without waiting");
            Assert.That(first.Result.UserInfos!.Subject, Is.EqualTo("bob"));
            Assert.That(second.Result, Is.SameAs(first.Result), "the user infos are built once per outcome");
            Assert.That(OpRequests(), Is.EqualTo(callsBefore));
            Assert.That(memory.Hits, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task AuthenticateAsync_UsersCacheReturnsAnExpiredOutcome_NotServedAndTheOpIsAskedAgain()
    {
        var shared = new JsonTokenCache();
        var token = _op.CreateJwt(new FakeUser("bob"));
        using (var replica = Engine(shared))
        {
            await replica.AuthenticateAsync(new AuthenticationRequest(token));
        }

        var stored = System.Text.Json.Nodes.JsonNode.Parse(shared.Stored.Values.Single())!;
        stored[nameof(TokenOutcome.ExpiresAt)] = DateTimeOffset.UtcNow.AddMinutes(-1);
        var careless = new OneOutcomeCache(stored.Deserialize<TokenOutcome>()!);
        var userInfoCalls = _op.RequestCount(FakeOpenIdEndpoint.UserInfo);
        using var engine = Engine(careless);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(careless.Reads, Is.GreaterThanOrEqualTo(2), "both the synchronous and the asynchronous read returned the expired outcome");
            Assert.That(result.Error, Is.Null);
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(userInfoCalls + 1), "the expired outcome was not served");
        });
    }

    /// <summary>A user's in-memory cache holding one outcome, whatever the key.</summary>
    private sealed class UsersMemoryCache(TokenOutcome outcome) : IFlaatTokenCache
    {
        public int Hits;

        public bool TryGet(TokenHash key, DateTimeOffset now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TokenOutcome? found)
        {
            Interlocked.Increment(ref Hits);
            found = outcome.ExpiresAt > now ? outcome : null;
            return found is not null;
        }

        public ValueTask<TokenOutcome?> GetAsync(TokenHash key, CancellationToken cancellationToken) => new(outcome);

        public ValueTask SetAsync(TokenHash key, TokenOutcome value, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask RemoveAsync(TokenHash key, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    [Test]
    public async Task AuthenticateAsync_RejectionKeptByAnotherReplica_SameRefusalWithoutAnyOpCall()
    {
        var shared = new JsonTokenCache();
        var token = _op.CreateOpaqueToken(new FakeUser("bob"));
        _op.RevokeToken(token);
        AuthenticationResult refused;
        using (var first = Engine(shared))
        {
            refused = await first.AuthenticateAsync(new AuthenticationRequest(token));
        }

        var callsBefore = OpRequests();
        using var second = Engine(shared);

        var again = await second.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(refused.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(again.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(again.Error!.Error, Is.EqualTo(refused.Error!.Error));
            Assert.That(again.Error.Description, Is.EqualTo(refused.Error.Description));
            Assert.That(OpRequests(), Is.EqualTo(callsBefore));
        });
    }

    [Test]
    public async Task Outcome_SerializedAndReadBack_RoundTripsAndRebuildsTheSameClaims()
    {
        var cache = new JsonTokenCache();
        using var engine = Engine(cache);
        var token = _op.CreateJwt(new FakeUser("bob").WithClaim("email", "bob@example.org").WithClaim("groups", new[] { "a", "b" }));
        var original = (await engine.AuthenticateAsync(new AuthenticationRequest(token))).UserInfos!;
        var json = cache.Stored.Values.Single();

        var read = JsonSerializer.Deserialize<TokenOutcome>(json)!;
        var now = DateTimeOffset.UtcNow;
        var built = read.ResultAt(now, AnyIssuer)!;
        var rebuilt = built.UserInfos!;

        Assert.Multiple(() =>
        {
            Assert.That(JsonSerializer.Serialize(read), Is.EqualTo(json), "System.Text.Json round-trips the outcome");
            Assert.That(Claims(rebuilt.UserInfo), Is.EqualTo(Claims(original.UserInfo)));
            Assert.That(Claims(rebuilt.IntrospectionInfo!), Is.EqualTo(Claims(original.IntrospectionInfo!)));
            Assert.That(Claims(rebuilt.AccessTokenInfo!.Body), Is.EqualTo(Claims(original.AccessTokenInfo!.Body)));
            Assert.That(Claims(rebuilt.AccessTokenInfo.Header), Is.EqualTo(Claims(original.AccessTokenInfo.Header)));
            Assert.That(rebuilt.AccessTokenInfo.VerificationAlgorithm, Is.EqualTo(original.AccessTokenInfo.VerificationAlgorithm));
            Assert.That(rebuilt.Issuer, Is.EqualTo(original.Issuer));
            Assert.That(rebuilt.Subject, Is.EqualTo(original.Subject));
            Assert.That(rebuilt.ExpiresAt, Is.EqualTo(original.ExpiresAt));
            Assert.That(read.ResultAt(now, AnyIssuer), Is.SameAs(built), "built once per outcome");
        });
    }

    [Test]
    public void Outcome_Refusal_RoundTripsThroughSystemTextJson()
    {
        var outcome = new TokenOutcome
        {
            ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(1_000_000),
            StatusCode = 401,
            Error = "Unauthenticated",
            ErrorDescription = "Token has expired",
            ChallengeError = "invalid_token",
        };

        var read = JsonSerializer.Deserialize<TokenOutcome>(JsonSerializer.Serialize(outcome))!;
        var result = read.ResultAt(outcome.ExpiresAt.AddSeconds(-1), AnyIssuer)!;

        Assert.Multiple(() =>
        {
            Assert.That(read.ExpiresAt, Is.EqualTo(outcome.ExpiresAt));
            Assert.That(result.Succeeded, Is.False);
            Assert.That(result.Error!.StatusCode, Is.EqualTo(401));
            Assert.That(result.Error.Error, Is.EqualTo("Unauthenticated"));
            Assert.That(result.Error.Description, Is.EqualTo("Token has expired"));
            Assert.That(result.Error.ChallengeError, Is.EqualTo("invalid_token"));
        });
    }

    [Test]
    public void TokenHash_ToStringShowsAPrefixAndToHexStringTheWholeSha256()
    {
        var hash = TokenHash.Compute("token-a");
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("token-a"u8));

        Assert.That(hash.ToHexString(), Is.EqualTo(sha));
        Assert.That(hash.ToString(), Does.Match("^[0-9a-f]{16}$"), "a short identifier only");
    }

    private static readonly OutcomeRules AnyIssuer = new(static _ => true, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10));

    private static Dictionary<string, string> Claims(IReadOnlyDictionary<string, JsonElement> claims) =>
        claims.ToDictionary(pair => pair.Key, pair => pair.Value.GetRawText(), StringComparer.Ordinal);
}
