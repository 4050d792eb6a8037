using Flaat.Caching;
using Flaat.Engine;
using Flaat.Evaluation;
using Flaat.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core.Evaluation;

/// <summary>
/// DPoP through the evaluator's binding stage, with the real engine, its cache and the fake OP:
/// bound JWT and opaque tokens, every refusal, the modes and the challenges.
/// </summary>
public sealed class DpopBindingTests
{
    private const string Url = "https://api.example.org/items";

    private FakeTimeProvider _time = null!;
    private FakeOpenIdProvider _op = null!;
    private FakeDpopKey _key = null!;
    private readonly List<IDisposable> _disposables = [];

    [SetUp]
    public void Start()
    {
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = _time, ClientId = "api", ClientSecret = "secret" });
        _key = FakeDpopKey.Create();
    }

    [TearDown]
    public async Task StopAsync()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _disposables.Clear();
        _key.Dispose();
        await _op.DisposeAsync();
    }

    private FlaatEvaluator Evaluator(Action<FlaatOptions>? configure = null, IFlaatReplayCache? replays = null)
    {
        var options = EngineTestKit.OptionsFor(_op);
        configure?.Invoke(options);
        var engine = new FlaatAuthenticator(options, timeProvider: _time);
        _disposables.Add(engine);
        return new FlaatEvaluator(engine, binders: [new DpopTokenBinder(options, replays, _time)]);
    }

    private string BoundJwt(string subject = "alice") =>
        _op.CreateJwt(new FakeUser(subject).WithClaim("groups", new[] { "admins" }), new FakeTokenOptions { DpopKey = _key });

    private string Proof(string token, string method = "GET", string url = Url, FakeDpopKey? key = null, FakeDpopProofOptions? options = null)
    {
        options ??= new FakeDpopProofOptions();
        options.IssuedAt ??= _time.GetUtcNow();
        return (key ?? _key).CreateProof(method, url, token, options);
    }

    private static PresentedToken Dpop(string token, string? proof, string method = "GET", string url = Url) =>
        DpopToken.FromAuthorizationHeader("DPoP " + token, proof is null ? [] : [proof], method, url);

    [Test]
    public async Task EvaluateAsync_BoundJwtWithValidProof_AllowedWithTheTokensClaimsAndNoUserinfoCall()
    {
        var token = BoundJwt();
        var outcome = await Evaluator().EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.IsAllowed, Is.True, outcome.Error?.Description);
            Assert.That(outcome.UserInfos?.Subject, Is.EqualTo("alice"));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero, "userinfo refuses DPoP-bound tokens");
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Introspection), Is.EqualTo(0), "the API has no credentials in these options");
        });
    }

    [Test]
    public async Task EvaluateAsync_CachedBoundToken_EveryRequestNeedsAFreshProofAndAReplayIsRefused()
    {
        var evaluator = Evaluator();
        var token = BoundJwt();
        Assert.That((await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated)).IsAllowed, Is.True);
        var proof = Proof(token);

        var fresh = evaluator.EvaluateAsync(Dpop(token, proof), FlaatPolicy.Authenticated);
        var freshOutcome = await fresh;
        var replayed = await evaluator.EvaluateAsync(Dpop(token, proof), FlaatPolicy.Authenticated);
        var none = await evaluator.EvaluateAsync(Dpop(token, null), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(freshOutcome.IsAllowed, Is.True);
            Assert.That(fresh.IsCompletedSuccessfully, Is.True, "a cache hit with the in-memory replay cache stays synchronous");
            Assert.That(replayed.Error?.ChallengeError, Is.EqualTo("invalid_dpop_proof"));
            Assert.That(replayed.Error?.Description, Does.Contain("used before"));
            Assert.That(none.Error?.ChallengeError, Is.EqualTo("invalid_dpop_proof"));
        });
    }

    [Test]
    public async Task EvaluateAsync_BoundTokenAsBearer_RefusedInEveryModeWithADpopChallenge()
    {
        foreach (var mode in Enum.GetValues<DpopMode>())
        {
            var token = BoundJwt();
            var outcome = await Evaluator(o => o.Dpop.Mode = mode).EvaluateAsync(BearerToken.FromToken(token), FlaatPolicy.Authenticated);

            Assert.Multiple(() =>
            {
                Assert.That(outcome.Error?.StatusCode, Is.EqualTo(401), mode.ToString());
                Assert.That(outcome.Error?.Description, Does.Contain("DPoP-bound"), mode.ToString());
                Assert.That(outcome.UserInfos, Is.Null, mode.ToString());
            });
        }
    }

    [Test]
    public async Task EvaluateAsync_Refusals_AreInvalidProofOrInvalidTokenWithTheDpopChallenge()
    {
        var evaluator = Evaluator();
        using var other = FakeDpopKey.Create();
        var token = BoundJwt();

        async Task<FlaatError?> Refusal(PresentedToken presented) => (await evaluator.EvaluateAsync(presented, FlaatPolicy.Authenticated)).Error;

        var wrongMethod = await Refusal(Dpop(token, Proof(token, method: "POST")));
        var wrongUrl = await Refusal(Dpop(token, Proof(token, url: "https://api.example.org/other")));
        var wrongAth = await Refusal(Dpop(token, Proof("another-token")));
        var stale = await Refusal(Dpop(token, Proof(token, options: new FakeDpopProofOptions { IssuedAt = _time.GetUtcNow().AddMinutes(-5) })));
        var anotherKey = await Refusal(Dpop(token, Proof(token, key: other)));
        var missing = await Refusal(Dpop(token, null));

        Assert.Multiple(() =>
        {
            foreach (var (name, error, code) in new[]
            {
                ("htm", wrongMethod, "invalid_dpop_proof"), ("htu", wrongUrl, "invalid_dpop_proof"), ("ath", wrongAth, "invalid_dpop_proof"),
                ("iat", stale, "invalid_dpop_proof"), ("another key", anotherKey, "invalid_token"), ("missing", missing, "invalid_dpop_proof"),
            })
            {
                Assert.That(error?.StatusCode, Is.EqualTo(401), name);
                Assert.That(error?.Challenges, Has.Some.StartsWith($"DPoP error=\"{code}\"").And.Some.Contains("algs=\"ES256 "), name);
                Assert.That(error?.Challenges, Has.Some.EqualTo("Bearer"), name + ": bearer tokens are allowed, so a Bearer challenge stands beside");
            }
        });
    }

    [Test]
    public async Task EvaluateAsync_UnboundTokenWithTheDpopScheme_Refused()
    {
        var token = _op.CreateJwt(new FakeUser("alice"));
        var outcome = await Evaluator().EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);

        Assert.That(outcome.Error?.Description, Does.Contain("not DPoP-bound"));
    }

    [Test]
    public async Task EvaluateAsync_ModeRequired_BearerTokenRefusedAndOnlyTheDpopChallengeSent()
    {
        var outcome = await Evaluator(o => o.Dpop.Mode = DpopMode.Required).EvaluateAsync(BearerToken.FromToken(_op.CreateJwt(new FakeUser("alice"))), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Error?.Description, Does.Contain("DPoP-bound tokens only"));
            Assert.That(outcome.Error?.Challenges, Has.Count.EqualTo(1).And.All.StartsWith("DPoP "));
        });
    }

    [Test]
    public async Task EvaluateAsync_ModeDisabled_DpopSchemeRefusedAndNoDpopChallenge()
    {
        var evaluator = Evaluator(o => o.Dpop.Mode = DpopMode.Disabled);
        var token = BoundJwt();
        var dpop = await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);
        var none = await evaluator.EvaluateAsync(PresentedToken.None, FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(dpop.Error?.Description, Does.Contain("not accepted here"));
            Assert.That(none.Error?.Challenges, Is.Null, "the plain Bearer challenge, as without DPoP");
        });
    }

    [Test]
    public async Task EvaluateAsync_IssuerAndEndpointModes_EndpointWinsOverIssuerOverGlobal()
    {
        var evaluator = Evaluator(o =>
        {
            o.Dpop.Mode = DpopMode.Disabled;
            o.Issuers.Add(new IssuerOptions { Issuer = _op.Issuer, Dpop = DpopMode.Required });
        });
        var bearer = _op.CreateJwt(new FakeUser("alice"));
        var bound = BoundJwt();

        var bearerAtIssuerRequired = await evaluator.EvaluateAsync(BearerToken.FromToken(bearer), FlaatPolicy.Authenticated);
        var dpopAtIssuerRequired = await evaluator.EvaluateAsync(Dpop(bound, Proof(bound)), FlaatPolicy.Authenticated);
        var bearerAtAllowedEndpoint = await evaluator.EvaluateAsync(BearerToken.FromToken(bearer), new FlaatPolicy { Dpop = DpopMode.Allowed });

        Assert.Multiple(() =>
        {
            Assert.That(bearerAtIssuerRequired.Error?.Description, Does.Contain("DPoP-bound tokens only"));
            Assert.That(dpopAtIssuerRequired.IsAllowed, Is.True, dpopAtIssuerRequired.Error?.Description);
            Assert.That(bearerAtAllowedEndpoint.IsAllowed, Is.True);
        });
    }

    [Test]
    public async Task EvaluateAsync_BoundOpaqueToken_UserFromIntrospectionWithoutUserinfo()
    {
        var evaluator = Evaluator(o =>
        {
            o.Issuer = _op.Issuer;
            o.ClientId = "api";
            o.ClientSecret = "secret";
        });
        var token = _op.CreateOpaqueToken(new FakeUser("bob").WithClaim("groups", new[] { "admins" }), new FakeTokenOptions { DpopKey = _key });

        var outcome = await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);
        var asBearer = await evaluator.EvaluateAsync(BearerToken.FromToken(token), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.IsAllowed, Is.True, outcome.Error?.Description);
            Assert.That(outcome.UserInfos?.GetStrings("groups"), Is.EqualTo(new[] { "admins" }));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero);
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Introspection), Is.EqualTo(1));
            Assert.That(asBearer.Error?.Description, Does.Contain("DPoP-bound"), "the cached introspection answer names the key");
        });
    }

    [Test]
    public async Task EvaluateAsync_BoundOpaqueTokenFromAnIssuerWithoutCredentials_401SaysWhy()
    {
        var token = _op.CreateOpaqueToken(new FakeUser("bob"), new FakeTokenOptions { DpopKey = _key });
        var outcome = await Evaluator(o => o.Issuer = _op.Issuer).EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(outcome.Error?.Description, Does.Contain("no client credentials"));
        });
    }

    [Test]
    public async Task EvaluateAsync_NonceRequired_FirstProofGetsANonceAndTheRetryWithItPasses()
    {
        var evaluator = Evaluator(o => o.Dpop.RequireNonce = true);
        var token = BoundJwt();

        var first = await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);
        var nonce = first.Error?.DpopNonce;
        var retry = await evaluator.EvaluateAsync(Dpop(token, Proof(token, options: new FakeDpopProofOptions { Nonce = nonce })), FlaatPolicy.Authenticated);
        var forged = await evaluator.EvaluateAsync(Dpop(token, Proof(token, options: new FakeDpopProofOptions { Nonce = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(first.Error?.ChallengeError, Is.EqualTo("use_dpop_nonce"));
            Assert.That(nonce, Is.Not.Null);
            Assert.That(retry.IsAllowed, Is.True, retry.Error?.Description);
            Assert.That(forged.Error?.ChallengeError, Is.EqualTo("use_dpop_nonce"));
        });
    }

    [Test]
    public async Task EvaluateAsync_ReplayCacheFails_503NotA401()
    {
        var token = BoundJwt();
        var outcome = await Evaluator(replays: new FailingReplayCache()).EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);

        Assert.That(outcome.Error?.StatusCode, Is.EqualTo(503));
    }

    [Test]
    public async Task EvaluateAsync_UnverifiedForgedJwtWithCnf_AskedAtUserinfoAndRefusedAsBearerAndAsDpop()
    {
        // With VerifyJwt off, userinfo is the only check of a JWT: a cnf claim a forger wrote must not switch it off.
        var evaluator = Evaluator(o => o.VerifyJwt = false);
        var forged = Forged(_op.Issuer, _key.Thumbprint);

        var asBearer = await evaluator.EvaluateAsync(BearerToken.FromToken(forged), FlaatPolicy.Authenticated);
        var asDpop = await evaluator.EvaluateAsync(Dpop(forged, Proof(forged)), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(asBearer.Error?.StatusCode, Is.EqualTo(401), "a forged JWT with cnf as Bearer");
            Assert.That(asDpop.Error?.StatusCode, Is.EqualTo(401), "a forged JWT with cnf and a proof of the forger's key");
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.GreaterThan(0), "userinfo decides an unverified JWT");
        });
    }

    [Test]
    public async Task EvaluateAsync_UnverifiedJwtWithCnfTheOpAccepts_StillRefusedAsBearer()
    {
        // An unverified cnf may not let a token in, but it is enough to refuse a Bearer presentation (failing closed).
        _op.ServeDocument(FakeOpenIdEndpoint.UserInfo, "{\"sub\":\"alice\"}");
        var evaluator = Evaluator(o => o.VerifyJwt = false);
        var withCnf = Forged(_op.Issuer, _key.Thumbprint, subject: "alice");

        var outcome = await evaluator.EvaluateAsync(BearerToken.FromToken(withCnf), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(outcome.Error?.Description, Does.Contain("DPoP-bound"));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1), "the OP, not the claim, vouched for the token");
        });
    }

    private static string Forged(string issuer, string jkt, string subject = "mallory")
    {
        static string Part(string json) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["iss"] = issuer,
            ["sub"] = subject,
            ["exp"] = exp,
            ["iat"] = exp - 3600,
            ["cnf"] = new System.Text.Json.Nodes.JsonObject { ["jkt"] = jkt },
        };
        return Part("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + Part(body.ToJsonString()) + ".AAAA";
    }

    [Test]
    public async Task EvaluateAsync_UnboundOpaqueTokenFirstSentAsDpop_LaterBearerKeepsItsUserinfoClaims()
    {
        // The client's presentation does not decide what the OP is asked: a proof header on an unbound
        // token must not strip the userinfo claims from the outcome every later request shares.
        var evaluator = Evaluator(o =>
        {
            o.Issuer = _op.Issuer;
            o.ClientId = "api";
            o.ClientSecret = "secret";
        });
        var token = _op.CreateOpaqueToken(new FakeUser("bob").WithClaim("groups", new[] { "admins" }));

        var asDpop = await evaluator.EvaluateAsync(Dpop(token, "x.y.z"), FlaatPolicy.Authenticated);
        var asBearer = await evaluator.EvaluateAsync(BearerToken.FromToken(token), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(asDpop.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(asBearer.IsAllowed, Is.True, asBearer.Error?.Description);
            Assert.That(asBearer.UserInfos?.GetStrings("groups"), Is.EqualTo(new[] { "admins" }));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1), "the unbound token is asked at userinfo");
        });
    }

    [Test]
    public async Task EvaluateAsync_UnboundOpaqueTokenFromAnIssuerWithoutCredentialsFirstSentAsDpop_OwnersBearerStillAllowed()
    {
        var evaluator = Evaluator(o => o.Issuer = _op.Issuer);
        var token = _op.CreateOpaqueToken(new FakeUser("bob"));

        var asDpop = await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);
        var asBearer = await evaluator.EvaluateAsync(BearerToken.FromToken(token), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(asDpop.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(asDpop.Error?.Description, Does.Contain("not DPoP-bound"));
            Assert.That(asBearer.IsAllowed, Is.True, asBearer.Error?.Description);
        });
    }

    [Test]
    public async Task EvaluateAsync_BoundOpaqueTokenFirstSentAsBearerByAThief_OwnersDpopStillAllowed()
    {
        var evaluator = Evaluator(o =>
        {
            o.Issuer = _op.Issuer;
            o.ClientId = "api";
            o.ClientSecret = "secret";
        });
        var token = _op.CreateOpaqueToken(new FakeUser("bob").WithClaim("groups", new[] { "admins" }), new FakeTokenOptions { DpopKey = _key });

        var thief = await evaluator.EvaluateAsync(BearerToken.FromToken(token), FlaatPolicy.Authenticated);
        var owner = await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(thief.Error?.Description, Does.Contain("DPoP-bound"));
            Assert.That(owner.IsAllowed, Is.True, owner.Error?.Description);
            Assert.That(owner.UserInfos?.GetStrings("groups"), Is.EqualTo(new[] { "admins" }));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero, "the introspection answer said the token is bound");
        });
    }

    [Test]
    public async Task EvaluateAsync_EvaluatorBuiltWithoutTheDpopBinder_RefusesABadProofAndABoundTokenAsBearer()
    {
        // Direct Flaat.Core use: an evaluator built without binders must not accept the DPoP scheme unchecked.
        var options = EngineTestKit.OptionsFor(_op);
        using var engine = new FlaatAuthenticator(options, timeProvider: _time);
        var evaluator = new FlaatEvaluator(engine);
        var token = BoundJwt();

        var badProof = await evaluator.EvaluateAsync(Dpop(token, "x.y.z"), FlaatPolicy.Authenticated);
        var noProof = await evaluator.EvaluateAsync(Dpop(token, null), FlaatPolicy.Authenticated);
        var asBearer = await evaluator.EvaluateAsync(BearerToken.FromToken(token), FlaatPolicy.Authenticated);
        var withOtherBinders = await new FlaatEvaluator(engine, binders: []).EvaluateAsync(BearerToken.FromToken(token), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(badProof.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(noProof.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(asBearer.Error?.Description, Does.Contain("DPoP-bound"));
            Assert.That(withOtherBinders.Error?.Description, Does.Contain("DPoP-bound"));
        });
    }

    [Test]
    public async Task EvaluateAsync_ProofByAnotherHugeKey_RefusedAsAnotherKeyBeforeTheKeyIsRead()
    {
        // The bound key's thumbprint is compared first (no crypto): a hostile key never reaches an import.
        var token = BoundJwt();
        var modulus = new byte[1024];
        new Random(7).NextBytes(modulus);
        modulus[0] |= 0x80;
        modulus[^1] |= 1;
        var parts = Proof(token).Split('.');
        var header = System.Text.Json.Nodes.JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]))!.AsObject();
        header["jwk"] = new System.Text.Json.Nodes.JsonObject { ["kty"] = "RSA", ["n"] = System.Buffers.Text.Base64Url.EncodeToString(modulus), ["e"] = "AQAB" };
        var proof = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + parts[1] + "." + parts[2];

        var outcome = await Evaluator().EvaluateAsync(Dpop(token, proof), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(outcome.Error?.Description, Does.Contain("another key"));
        });
    }

    [Test]
    public async Task EvaluateAsync_CachedBearerTokenWithTheDpopBinder_SynchronousAndAllocatesNoMoreThanWithout()
    {
        var options = EngineTestKit.OptionsFor(_op);
        using var engine = new FlaatAuthenticator(options, timeProvider: _time);
        var token = BearerToken.FromToken(_op.CreateJwt(new FakeUser("alice")));
        var without = await PerCallAsync(new FlaatEvaluator(engine), token);
        var with = await PerCallAsync(new FlaatEvaluator(engine, binders: [new DpopTokenBinder(options, null, _time)]), token);

        Assert.Multiple(() =>
        {
            Assert.That(with.Synchronous, Is.EqualTo(1000));
            Assert.That(with.Bytes, Is.LessThanOrEqualTo(without.Bytes), "the DPoP binder adds nothing to a cached bearer request");
        });
    }

    private static async Task<(int Synchronous, double Bytes)> PerCallAsync(FlaatEvaluator evaluator, PresentedToken token)
    {
        Assert.That((await evaluator.EvaluateAsync(token, FlaatPolicy.Authenticated)).IsAllowed, Is.True);
        for (var i = 0; i < 100; i++)
        {
            _ = evaluator.EvaluateAsync(token, FlaatPolicy.Authenticated);
        }

        var synchronous = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            if (evaluator.EvaluateAsync(token, FlaatPolicy.Authenticated).IsCompletedSuccessfully)
            {
                synchronous++;
            }
        }

        return (synchronous, (GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0);
    }

    private sealed class FailingReplayCache : IFlaatReplayCache
    {
        public ValueTask<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
            ValueTask.FromException<bool>(new TimeoutException("store down"));
    }
}
