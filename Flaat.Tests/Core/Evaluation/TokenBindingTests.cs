using Flaat.Engine;
using Flaat.Evaluation;
using Flaat.Requirements;
using Flaat.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core.Evaluation;

/// <summary>The binding stage of the evaluator, with the real engine and its cache behind it.</summary>
public sealed class TokenBindingTests
{
    private FakeTimeProvider _time = null!;
    private FakeOpenIdProvider _op = null!;
    private FlaatAuthenticator _engine = null!;

    [SetUp]
    public void Start()
    {
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = _time });
        _engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op), timeProvider: _time);
    }

    [TearDown]
    public async Task StopAsync()
    {
        _engine.Dispose();
        await _op.DisposeAsync();
    }

    [Test]
    public async Task EvaluateAsync_SecondRequestServedFromTheCache_BinderRunsAgainAndItsRefusalIsTheOutcome()
    {
        var binder = new RecordingBinder();
        var evaluator = new FlaatEvaluator(_engine, binders: [binder]);
        var token = BearerToken.FromToken(_op.CreateJwt(new FakeUser("alice")));

        var first = await evaluator.EvaluateAsync(token, FlaatPolicy.Authenticated, request: "first");
        var userinfoCalls = _op.RequestCount(FakeOpenIdEndpoint.UserInfo);
        binder.Refusal = new FlaatError(401, "Unauthenticated", "The token is bound to another key") { ChallengeScheme = "DPoP", ChallengeError = "invalid_token" };
        var pending = evaluator.EvaluateAsync(BearerToken.FromToken(token.Token), FlaatPolicy.Authenticated, request: "second");
        var second = await pending;

        Assert.Multiple(() =>
        {
            Assert.That(first.IsAllowed, Is.True);
            Assert.That(pending.IsCompletedSuccessfully, Is.True, "a cache hit with a synchronous binder stays synchronous");
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(userinfoCalls), "the second request was a cache hit");
            Assert.That(binder.Seen.Select(c => (c.Request, c.UserInfos.Subject, c.Token.Token)),
                Is.EqualTo(new[] { ((object?)"first", "alice", token.Token), ("second", "alice", token.Token) }));
            Assert.That(second.IsAllowed, Is.False);
            Assert.That(second.Error, Is.SameAs(binder.Refusal));
            Assert.That(second.UserInfos, Is.Null, "a token not bound to this request authenticates nobody, not even for on-failure hooks");
        });
    }

    [Test]
    public async Task EvaluateAsync_DecoratorPassesAnotherToken_EngineAnswersForThatTokenNotForTheHashOfThePresentedOne()
    {
        var alice = BearerToken.FromToken(_op.CreateJwt(new FakeUser("alice")));
        var bob = _op.CreateJwt(new FakeUser("bob"));
        var direct = new FlaatEvaluator(_engine);
        Assert.That((await direct.EvaluateAsync(alice, FlaatPolicy.Authenticated)).UserInfos?.Subject, Is.EqualTo("alice"), "alice's outcome is cached");
        var swapping = new FlaatEvaluator(new SwappingAuthenticator(_engine, bob));

        var outcome = await swapping.EvaluateAsync(alice, FlaatPolicy.Authenticated);

        Assert.That(outcome.UserInfos?.Subject, Is.EqualTo("bob"), "the presented token's hash must not answer for the token the decorator passed on");
    }

    /// <summary>An application's decorator that exchanges every token for another one before the engine sees it.</summary>
    private sealed class SwappingAuthenticator(IFlaatAuthenticator inner, string replacement) : IFlaatAuthenticator
    {
        public ValueTask<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken = default) =>
            inner.AuthenticateAsync(request with { AccessToken = replacement }, cancellationToken);
    }

    [Test]
    public async Task EvaluateAsync_BinderRefuses_RequirementsAreNotChecked()
    {
        var checkedRequirement = false;
        var policy = new FlaatPolicy { UserRequirement = new IsTrue(_ => checkedRequirement = true, "counted") };
        var evaluator = new FlaatEvaluator(_engine, binders: [new RecordingBinder { Refusal = FlaatError.Unauthenticated("not bound") }]);

        var outcome = await evaluator.EvaluateAsync(BearerToken.FromToken(_op.CreateJwt(new FakeUser("alice"))), policy);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Error?.Description, Is.EqualTo("not bound"));
            Assert.That(checkedRequirement, Is.False);
        });
    }

    [Test]
    public async Task EvaluateAsync_SeveralBinders_RunInOrderAndTheFirstRefusalWins()
    {
        var order = new List<string>();
        var evaluator = new FlaatEvaluator(_engine, binders:
        [
            new RecordingBinder { Name = "a", Order = order },
            new RecordingBinder { Name = "b", Order = order, Refusal = FlaatError.Forbidden("b says no") },
            new RecordingBinder { Name = "c", Order = order, Refusal = FlaatError.Forbidden("c says no") },
        ]);

        var outcome = await evaluator.EvaluateAsync(BearerToken.FromToken(_op.CreateJwt(new FakeUser("alice"))), FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(order, Is.EqualTo(new[] { "a", "b" }));
            Assert.That(outcome.Error?.Description, Is.EqualTo("b says no"));
        });
    }

    [Test]
    public async Task EvaluateAsync_OptionalPolicyAndBinder401_AnonymousAsForARejectedToken()
    {
        var evaluator = new FlaatEvaluator(_engine, binders: [new RecordingBinder { Refusal = FlaatError.Unauthenticated("not bound") }]);

        var outcome = await evaluator.EvaluateAsync(BearerToken.FromToken(_op.CreateJwt(new FakeUser("alice"))), FlaatPolicy.Optional);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.IsAllowed, Is.True);
            Assert.That(outcome.UserInfos, Is.Null);
        });
    }

    [Test]
    public async Task EvaluateAsync_BinderThrowsFlaatException_FailedOutcomeWithItsStatus()
    {
        var evaluator = new FlaatEvaluator(_engine, binders: [new RecordingBinder { Throw = new FlaatUnavailableException("replay cache down", TimeSpan.FromSeconds(5)) }]);

        var outcome = await evaluator.EvaluateAsync(BearerToken.FromToken(_op.CreateJwt(new FakeUser("alice"))), FlaatPolicy.Authenticated);

        Assert.That(outcome.Error?.StatusCode, Is.EqualTo(503));
    }

    [Test]
    public async Task EvaluateAsync_NoToken_BindersAreNotAsked()
    {
        var binder = new RecordingBinder();
        var evaluator = new FlaatEvaluator(_engine, binders: [binder]);

        var outcome = await evaluator.EvaluateAsync(PresentedToken.None, FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(binder.Seen, Is.Empty);
        });
    }

    [Test]
    public async Task EvaluateAsync_AnotherSchemesTokenRefused_ErrorCarriesThatSchemeForTheChallenge()
    {
        var evaluator = new FlaatEvaluator(_engine);
        var token = new PresentedToken("DPoP", "not-a-token-the-op-knows", null, TokenSource.AuthorizationHeader, wasPresented: true);

        var outcome = await evaluator.EvaluateAsync(token, FlaatPolicy.Authenticated);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(outcome.Error?.ChallengeScheme, Is.EqualTo("DPoP"));
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task EvaluateAsync_CachedToken_SynchronousAndAllocatesLittle(bool withBinder)
    {
        var evaluator = new FlaatEvaluator(_engine, binders: withBinder ? [new RecordingBinder { Record = false }] : null);
        var token = BearerToken.FromToken(_op.CreateJwt(new FakeUser("alice")));
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

        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0;

        Assert.Multiple(() =>
        {
            Assert.That(synchronous, Is.EqualTo(1000));
            Assert.That(perCall, Is.LessThan(512));
        });
    }

    private sealed class RecordingBinder : IFlaatTokenBinder
    {
        public List<TokenBindingContext> Seen { get; } = [];

        public bool Record { get; init; } = true;

        public string Name { get; init; } = "";

        public List<string>? Order { get; init; }

        public FlaatError? Refusal { get; set; }

        public FlaatException? Throw { get; init; }

        public ValueTask<FlaatError?> BindAsync(TokenBindingContext context, CancellationToken cancellationToken)
        {
            if (Record)
            {
                Seen.Add(context);
            }

            Order?.Add(Name);
            return Throw is not null ? throw Throw : ValueTask.FromResult(Refusal);
        }
    }
}
