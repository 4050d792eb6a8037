using Flaat.Caching;
using Flaat.Engine;
using Flaat.Evaluation;
using Flaat.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core.Evaluation;

/// <summary>
/// The DPoP security review's remaining findings, through the evaluator with the real engine and the
/// fake OP: the proof window's exact edges (N1, N2), a replay cache filled by one client (S4), the
/// challenges of mode Disabled and of per-issuer modes (N4, N5), a DPoP-bound opaque token from
/// several OPs (S2), and a JWT nothing can check (VerifyJwt off, no userinfo).
/// </summary>
public sealed class DpopReviewFindingTests
{
    private const string Url = "https://api.example.org/items";

    private FakeTimeProvider _time = null!;
    private FakeOpenIdProvider _op = null!;
    private FakeDpopKey _key = null!;
    private readonly List<IAsyncDisposable> _disposables = [];

    [SetUp]
    public void Start()
    {
        // Whole seconds: a proof's iat is whole seconds, so the window's edges fall on instants the clock can hit.
        _time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        _op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = _time, ClientId = "api", ClientSecret = "secret" });
        _key = FakeDpopKey.Create();
    }

    [TearDown]
    public async Task StopAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }

        _disposables.Clear();
        _key.Dispose();
        await _op.DisposeAsync();
    }

    private FlaatEvaluator Evaluator(FlaatOptions options, IFlaatReplayCache? replays = null, ILogger<DpopTokenBinder>? logger = null)
    {
        var engine = new FlaatAuthenticator(options, timeProvider: _time);
        _disposables.Add(new Disposer(engine));
        return new FlaatEvaluator(engine, binders: [new DpopTokenBinder(options, replays, _time, logger)]);
    }

    private FlaatEvaluator Evaluator(Action<FlaatOptions>? configure = null, IFlaatReplayCache? replays = null)
    {
        var options = EngineTestKit.OptionsFor(_op);
        configure?.Invoke(options);
        return Evaluator(options, replays);
    }

    private string BoundJwt() => _op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { DpopKey = _key });

    private string Proof(string token, DateTimeOffset? issuedAt = null) =>
        _key.CreateProof("GET", Url, token, new FakeDpopProofOptions { IssuedAt = issuedAt ?? _time.GetUtcNow() });

    private static PresentedToken Dpop(string token, string proof) => DpopToken.FromAuthorizationHeader("DPoP " + token, [proof], "GET", Url);

    [Test]
    public async Task EvaluateAsync_IatAtTheFutureSkewsEdge_AllowedOneSecondBeyondRefused()
    {
        var evaluator = Evaluator(o => o.Dpop.ClockSkew = TimeSpan.FromSeconds(5));
        var token = BoundJwt();

        var atEdge = await evaluator.EvaluateAsync(Dpop(token, Proof(token, _time.GetUtcNow().AddSeconds(5))), FlaatPolicy.Authenticated);
        var beyond = await evaluator.EvaluateAsync(Dpop(token, Proof(token, _time.GetUtcNow().AddSeconds(6))), FlaatPolicy.Authenticated);
        var aLifetimeAhead = await evaluator.EvaluateAsync(Dpop(token, Proof(token, _time.GetUtcNow().AddSeconds(60))), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(atEdge.IsAllowed, Is.True, atEdge.Error?.Description);
            Assert.That(beyond.Error?.Description, Does.Contain("iat lies in the future"));
            Assert.That(aLifetimeAhead.Error?.Description, Does.Contain("iat lies in the future"), "the future allowance is the skew, not the lifetime");
        });
    }

    [Test]
    public async Task EvaluateAsync_ReplayAtTheLifetimesExactEdge_RefusedAsUsedThenAsTooOld()
    {
        var evaluator = Evaluator();
        var token = BoundJwt();
        var proof = Proof(token);
        Assert.That((await evaluator.EvaluateAsync(Dpop(token, proof), FlaatPolicy.Authenticated)).IsAllowed, Is.True);

        // The last instant the proof is accepted for its age: its jti must still be remembered.
        _time.Advance(TimeSpan.FromSeconds(60));
        var atEdge = await evaluator.EvaluateAsync(Dpop(token, proof), FlaatPolicy.Authenticated);
        var freshAtEdge = await evaluator.EvaluateAsync(Dpop(token, Proof(token, _time.GetUtcNow().AddSeconds(-60))), FlaatPolicy.Authenticated);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var beyond = await evaluator.EvaluateAsync(Dpop(token, proof), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(atEdge.Error?.Description, Does.Contain("used before"));
            Assert.That(freshAtEdge.IsAllowed, Is.True, "a proof exactly a lifetime old is still accepted: " + freshAtEdge.Error?.Description);
            Assert.That(beyond.Error?.Description, Does.Contain("iat is too old"));
        });
    }

    [Test]
    public async Task EvaluateAsync_ReplayCacheFilledByOneClient_503SaysFullReplaysStillRefusedRoomAfterExpiry()
    {
        var options = EngineTestKit.OptionsFor(_op);
        using var logs = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var evaluator = Evaluator(options, new MemoryReplayCache(20, _time), factory.CreateLogger<DpopTokenBinder>());
        var token = BoundJwt();
        var first = Proof(token);
        Assert.That((await evaluator.EvaluateAsync(Dpop(token, first), FlaatPolicy.Authenticated)).IsAllowed, Is.True);
        for (var i = 1; i < 20; i++)
        {
            Assert.That((await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated)).IsAllowed, Is.True, $"proof {i}");
        }

        var full = new List<FlaatOutcome>();
        for (var i = 0; i < 5; i++)
        {
            full.Add(await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated));
        }

        var replay = await evaluator.EvaluateAsync(Dpop(token, first), FlaatPolicy.Authenticated);
        // Each jti is kept for the lifetime (60 s) and the margin (ClockSkew, 5 s).
        _time.Advance(TimeSpan.FromSeconds(66));
        var later = await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(full.Select(o => o.Error?.StatusCode), Is.All.EqualTo(503), "a server condition, not the client's fault");
            Assert.That(full.Select(o => o.Error?.Description), Is.All.Contains("replay cache").And.All.Contains("full"));
            Assert.That(full.Select(o => o.Error?.Description), Has.None.Contains("used before"));
            Assert.That(replay.Error?.Description, Does.Contain("used before"), "a full cache never admits a replay");
            Assert.That(later.IsAllowed, Is.True, "expired buckets are dropped: " + later.Error?.Description);
            Assert.That(logs.Entries.Count(e => e.Id.Id == 3303), Is.EqualTo(1), "logged once, not per refusal");
        });
    }

    [Test]
    public async Task EvaluateAsync_ModeDisabledAndABoundTokenAsBearer_BearerChallengeNamesTheError()
    {
        var token = BoundJwt();

        var outcome = await Evaluator(o => o.Dpop.Mode = DpopMode.Disabled).EvaluateAsync(BearerToken.FromToken(token), FlaatPolicy.Authenticated);

        Assert.That(outcome.Error?.Challenges, Has.Count.EqualTo(1).And.Some.StartsWith("Bearer error=\"invalid_token\", error_description="));
    }

    [Test]
    public async Task EvaluateAsync_IssuerRequiresDpopAndTheEngineRefusesTheToken_OnlyTheDpopChallenge()
    {
        var evaluator = Evaluator(o =>
        {
            o.TrustedIssuers.Clear();
            o.Issuers.Add(new IssuerOptions { Issuer = _op.Issuer, Dpop = DpopMode.Required });
        });
        var expired = _op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { ExpiresAt = _time.GetUtcNow().AddHours(-1), IssuedAt = _time.GetUtcNow().AddHours(-2) });

        var outcome = await evaluator.EvaluateAsync(BearerToken.FromToken(expired), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(outcome.Error?.Challenges, Is.Not.Null.And.All.StartsWith("DPoP"), "the issuer's mode shapes the challenge, though no user was found");
        });
    }

    [Test]
    public async Task EvaluateAsync_BoundOpaqueTokenFromOneOfTwoOpsWithoutPin_FoundByIntrospection()
    {
        await using var second = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = _time, ClientId = "api", ClientSecret = "secret" });
        var options = EngineTestKit.OptionsFor(_op, second);
        options.ClientId = "api";
        options.ClientSecret = "secret";
        var evaluator = Evaluator(options);
        var token = second.CreateOpaqueToken(new FakeUser("bob"), new FakeTokenOptions { DpopKey = _key });

        var allowed = await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);
        var asBearer = await evaluator.EvaluateAsync(BearerToken.FromToken(token), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(allowed.IsAllowed, Is.True, allowed.Error?.Description);
            Assert.That(allowed.UserInfos?.Subject, Is.EqualTo("bob"));
            Assert.That(allowed.UserInfos?.Issuer, Is.EqualTo(second.Issuer));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo) + second.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero, "userinfo refuses bound tokens: not asked");
            Assert.That(asBearer.Error?.Description, Does.Contain("DPoP-bound"), "the outcome is the OP's: bound, so never as Bearer");
        });
    }

    [Test]
    public async Task EvaluateAsync_BoundOpaqueTokenFromTwoOpsNoneCanIntrospect_401KeptForEveryPresentation()
    {
        await using var second = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = _time, ClientId = "api", ClientSecret = "secret" });
        var evaluator = Evaluator(EngineTestKit.OptionsFor(_op, second));
        var token = second.CreateOpaqueToken(new FakeUser("bob"), new FakeTokenOptions { DpopKey = _key });

        var refused = await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);
        var asked = _op.RequestCount(FakeOpenIdEndpoint.UserInfo) + second.RequestCount(FakeOpenIdEndpoint.UserInfo);
        var asBearer = await evaluator.EvaluateAsync(BearerToken.FromToken(token), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(refused.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(asked, Is.EqualTo(2), "without credentials each OP is asked by userinfo, as a pinned load would, proof or not");
            Assert.That(asBearer.Error?.Description, Is.EqualTo(refused.Error?.Description));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo) + second.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(asked),
                "the refusal does not depend on the presentation, so it is kept and answers the Bearer presentation without asking again");
        });
    }

    [Test]
    public async Task EvaluateAsync_ThiefSendsBoundOpaqueTokenAsBearerFirst_OwnersDpopRequestPassesAtOnce()
    {
        await using var second = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = _time, ClientId = "api", ClientSecret = "secret" });
        var options = EngineTestKit.OptionsFor(_op, second);
        options.ClientId = "api";
        options.ClientSecret = "secret";
        var evaluator = Evaluator(options);
        var token = second.CreateOpaqueToken(new FakeUser("bob"), new FakeTokenOptions { DpopKey = _key });

        var thief = await evaluator.EvaluateAsync(BearerToken.FromToken(token), FlaatPolicy.Authenticated);
        var owner = await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(thief.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(thief.Error?.Description, Does.Contain("DPoP-bound"), "found by introspection as Bearer too, then refused by the binder");
            Assert.That(owner.IsAllowed, Is.True, owner.Error?.Description);
            Assert.That(owner.UserInfos?.Issuer, Is.EqualTo(second.Issuer));
            Assert.That(second.RequestCount(FakeOpenIdEndpoint.Introspection), Is.EqualTo(1), "one presentation-independent outcome serves both");
        });
    }

    [Test]
    public async Task EvaluateAsync_UnboundOpaqueTokenWithStrayDpopHeaderFirst_OwnersBearerRequestPasses()
    {
        // Credentials everywhere, but the OP publishes no introspection endpoint: it is asked by userinfo, proof or not.
        await using var second = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = _time });
        var options = EngineTestKit.OptionsFor(_op, second);
        options.ClientId = "api";
        options.ClientSecret = "secret";
        var evaluator = Evaluator(options);
        var token = second.CreateOpaqueToken(new FakeUser("bob"));

        var stray = await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);
        var owner = await evaluator.EvaluateAsync(BearerToken.FromToken(token), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(stray.Error?.Description ?? "", Does.Not.Contain("No trusted OP accepted"), "the token is found whatever the presentation");
            Assert.That(owner.IsAllowed, Is.True, owner.Error?.Description);
            Assert.That(owner.UserInfos?.Issuer, Is.EqualTo(second.Issuer));
        });
    }

    [Test]
    public async Task AuthenticateAsync_ProbeFindsAnOpAnsweringActiveForAnotherOpsToken_401AndThatOpNotRemembered()
    {
        // OP A (credentials) says active for B's token, naming B; B cannot be asked. A is the only
        // acceptor, but its answer fails the checks: it must not be remembered as the token's issuer.
        await using var second = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = _time });
        var token = second.CreateOpaqueToken(new FakeUser("bob"));
        _op.ServeDocument(FakeOpenIdEndpoint.Introspection, $$"""{"active":true,"iss":"{{second.Issuer}}","sub":"bob","exp":{{_time.GetUtcNow().AddHours(1).ToUnixTimeSeconds()}}}""");
        second.SimulateDown(FakeOpenIdEndpoint.UserInfo);
        var options = EngineTestKit.OptionsFor(_op, second);
        options.ClientId = "api";
        options.ClientSecret = "secret";
        var shared = new Flaat.Tests.Core.Caching.JsonTokenCache();
        using var engine = new FlaatAuthenticator(options, timeProvider: _time, tokenCache: shared);

        var outcome = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Error?.StatusCode, Is.EqualTo(401), outcome.Error?.Description);
            Assert.That(shared.Issuers, Is.Empty, "an answer that failed its checks names no issuer");
        });
    }

    [Test]
    public async Task EvaluateAsync_VerifyJwtOffIntrospectionWithoutCnfAndProofByTheJwtsCnfKey_401()
    {
        // The JWT's cnf.jkt names the attacker's key (_key) and nothing verified it; the OP's
        // introspection says active without any cnf. The unverified cnf must not choose the key.
        _op.ServeDocument(FakeOpenIdEndpoint.Introspection, $$"""{"active":true,"iss":"{{_op.Issuer}}","sub":"alice","exp":{{_time.GetUtcNow().AddHours(1).ToUnixTimeSeconds()}}}""");
        var evaluator = Evaluator(o =>
        {
            o.VerifyJwt = false;
            o.ClientId = "api";
            o.ClientSecret = "secret";
        });
        var token = BoundJwt();

        var outcome = await evaluator.EvaluateAsync(Dpop(token, Proof(token)), FlaatPolicy.Authenticated);

        Assert.That(outcome.Error?.StatusCode, Is.EqualTo(401), "an unverified cnf binds to no key a proof can match");
    }

    [Test]
    public async Task EvaluateAsync_VerifyJwtOffAndAnOpWithoutUserinfo_401TheTokenCouldNotBeChecked()
    {
        _op.ServeDocument(FakeOpenIdEndpoint.Discovery, $$"""{"issuer":"{{_op.Issuer}}","jwks_uri":"{{_op.JwksUri}}"}""");
        var evaluator = Evaluator(o => o.VerifyJwt = false);
        var forged = _op.CreateJwt(new FakeUser("mallory")) is { } real ? real[..real.LastIndexOf('.')] + ".AAAA" : null;

        var outcome = await evaluator.EvaluateAsync(BearerToken.FromToken(forged!), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.IsAllowed, Is.False, "a JWT nothing checked must not authenticate anybody");
            Assert.That(outcome.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(outcome.Error?.Description, Does.Contain("could not be checked"));
        });
    }

    private sealed class Disposer(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
