using Flaat.Caching;
using Flaat.Engine;
using Flaat.Evaluation;
using Flaat.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core.Evaluation;

/// <summary>
/// The DPoP review's B3 and S0 through the evaluator with the real engine and the fake OP: one key's
/// flood of proofs is refused for that key only (Flaat:Dpop:MaxProofsPerKey), and a proof identifier is
/// remembered for the clock skew beyond its last accepted instant, so a store reading its clock later
/// than the binder (another replica, a slow call) still knows it.
/// </summary>
public sealed class DpopKeyQuotaTests
{
    private const string Url = "https://api.example.org/items";

    private FakeTimeProvider _time = null!;
    private FakeOpenIdProvider _op = null!;
    private FakeDpopKey _flooder = null!;
    private FakeDpopKey _other = null!;
    private readonly List<FlaatAuthenticator> _engines = [];

    [SetUp]
    public void Start()
    {
        _time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        _op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = _time });
        _flooder = FakeDpopKey.Create();
        _other = FakeDpopKey.Create();
    }

    [TearDown]
    public async Task StopAsync()
    {
        foreach (var engine in _engines)
        {
            engine.Dispose();
        }

        _engines.Clear();
        _flooder.Dispose();
        _other.Dispose();
        await _op.DisposeAsync();
    }

    private FlaatEvaluator Evaluator(Action<FlaatOptions> configure, IFlaatReplayCache? replays = null)
    {
        var options = EngineTestKit.OptionsFor(_op);
        configure(options);
        var engine = new FlaatAuthenticator(options, timeProvider: _time);
        _engines.Add(engine);
        return new FlaatEvaluator(engine, binders: [new DpopTokenBinder(options, replays, _time)]);
    }

    private string Token(FakeDpopKey key) => _op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { DpopKey = key });

    private PresentedToken Dpop(FakeDpopKey key, string token, DateTimeOffset? issuedAt = null) => DpopToken.FromAuthorizationHeader(
        "DPoP " + token, [key.CreateProof("GET", Url, token, new FakeDpopProofOptions { IssuedAt = issuedAt ?? _time.GetUtcNow() })], "GET", Url);

    [Test]
    public async Task EvaluateAsync_OneKeyFloodsPastItsQuota_ThatKeyRefused401OtherKeyStillPasses()
    {
        var evaluator = Evaluator(o => o.Dpop.MaxProofsPerKey = 5);
        var flooding = Token(_flooder);
        var other = Token(_other);
        var accepted = new List<FlaatOutcome>();
        for (var i = 0; i < 5; i++)
        {
            accepted.Add(await evaluator.EvaluateAsync(Dpop(_flooder, flooding), FlaatPolicy.Authenticated));
        }

        var over = await evaluator.EvaluateAsync(Dpop(_flooder, flooding), FlaatPolicy.Authenticated);
        var otherKey = await evaluator.EvaluateAsync(Dpop(_other, other), FlaatPolicy.Authenticated);
        // The window is the proof lifetime, the skew and the margin: 70 s.
        _time.Advance(TimeSpan.FromSeconds(70));
        var nextWindow = await evaluator.EvaluateAsync(Dpop(_flooder, flooding), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(accepted.Select(o => o.IsAllowed), Is.All.True);
            Assert.That(over.Error?.StatusCode, Is.EqualTo(401), "the flooding client's own fault: never a 503 for everybody");
            Assert.That(over.Error?.Description, Does.Contain("Too many DPoP proofs from this key"));
            Assert.That(over.Error?.Challenges, Has.Some.Contains("invalid_dpop_proof"));
            Assert.That(otherKey.IsAllowed, Is.True, otherKey.Error?.Description);
            Assert.That(nextWindow.IsAllowed, Is.True, nextWindow.Error?.Description);
        });
    }

    [Test]
    public async Task EvaluateAsync_DefaultQuota_IsMaxReplayEntriesOverTwentyPerKey()
    {
        var evaluator = Evaluator(o => o.Dpop.MaxReplayEntries = 40);
        var flooding = Token(_flooder);
        var other = Token(_other);

        var first = await evaluator.EvaluateAsync(Dpop(_flooder, flooding), FlaatPolicy.Authenticated);
        var second = await evaluator.EvaluateAsync(Dpop(_flooder, flooding), FlaatPolicy.Authenticated);
        var third = await evaluator.EvaluateAsync(Dpop(_flooder, flooding), FlaatPolicy.Authenticated);
        var otherKey = await evaluator.EvaluateAsync(Dpop(_other, other), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(first.IsAllowed && second.IsAllowed, Is.True);
            Assert.That(third.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(third.Error?.Description, Does.Contain("at most 2"));
            Assert.That(otherKey.IsAllowed, Is.True, otherKey.Error?.Description);
        });
    }

    [Test]
    public async Task EvaluateAsync_StoreClockAheadOfBindersWithinTheSkew_ReplayAtTheLifetimesEdgeStillRefused()
    {
        // The binder judges the proof's age at t; the store (another replica's clock, or a call that
        // ran later) reads t + 3 s. With ClockSkew 5 s the identifier is kept to iat + 60 s + 5 s.
        var storeTime = new FakeTimeProvider(_time.GetUtcNow().AddSeconds(3));
        var evaluator = Evaluator(o => o.Dpop.ClockSkew = TimeSpan.FromSeconds(5), new MemoryReplayCache(100, storeTime));
        var token = Token(_flooder);
        var proof = Dpop(_flooder, token, _time.GetUtcNow().AddSeconds(-60));

        var first = await evaluator.EvaluateAsync(proof, FlaatPolicy.Authenticated);
        var replay = await evaluator.EvaluateAsync(DpopToken.FromAuthorizationHeader("DPoP " + token, [proof.Proof!], "GET", Url), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(first.IsAllowed, Is.True, "a proof exactly a lifetime old is accepted: " + first.Error?.Description);
            Assert.That(replay.IsAllowed, Is.False, "a 1 s margin would let the store forget it already");
            Assert.That(replay.Error?.Description, Does.Contain("used before"));
        });
    }
}
