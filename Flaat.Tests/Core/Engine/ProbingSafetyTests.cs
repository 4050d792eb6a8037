using Flaat.Engine;
using Microsoft.Extensions.Time.Testing;
using static Flaat.Tests.Core.Engine.ScriptedOps;

namespace Flaat.Tests.Core.Engine;

/// <summary>
/// Probing cannot be won by an OP that accepts every token, and cannot be turned into a flood of
/// calls to the OPs: a global budget refuses the excess before any OP is asked.
/// </summary>
public sealed class ProbingSafetyTests
{
    private const string A = "https://a.example";
    private const string B = "https://b.example";

    private readonly ScriptedOps _ops = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 8, 0, 0, TimeSpan.Zero));
    private Op _a = null!;
    private Op _b = null!;
    private HttpClient _http = null!;

    [SetUp]
    public void SetUp()
    {
        _a = _ops.Add(A);
        _b = _ops.Add(B);
        _http = _ops.CreateClient();
    }

    [TearDown]
    public void TearDown()
    {
        _http.Dispose();
        _ops.Dispose();
    }

    [Test]
    public async Task AuthenticateAsync_OpAcceptingEveryTokenAnswersFirst_RefusedAsAmbiguous()
    {
        // a is the token's real issuer but answers late; b accepts anything at once. The first
        // acceptance must not win.
        var late = new TaskCompletionSource();
        _a.UserInfo = token => token == "a-token" ? new Answer(200, """{"sub":"bob"}""", late.Task) : Answer.Unauthorized;
        _b.UserInfo = _ => Answer.Ok("""{"sub":"bob"}""");
        using var engine = Engine();

        var pending = engine.AuthenticateAsync(new AuthenticationRequest("a-token")).AsTask();
        await WaitUntil(() => Volatile.Read(ref _b.UserInfoCalls) == 1 && Volatile.Read(ref _a.UserInfoCalls) == 1);
        late.SetResult();
        var result = await pending;

        Assert.That(result.UserInfos, Is.Null);
        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo($"Token was accepted by more than one trusted OP: ambiguous ({A}, {B})"));
    }

    [Test]
    public async Task AuthenticateAsync_AmbiguousToken_NotRememberedAsEitherOpsToken()
    {
        _a.UserInfo = _ => Answer.Ok("""{"sub":"bob"}""");
        _b.UserInfo = _ => Answer.Ok("""{"sub":"bob"}""");
        using var engine = Engine();
        await engine.AuthenticateAsync(new AuthenticationRequest("token"));
        _time.Advance(TimeSpan.FromSeconds(11)); // past the rejection lifetime

        var again = await engine.AuthenticateAsync(new AuthenticationRequest("token"));

        Assert.That(again.Error?.Description, Does.StartWith("Token was accepted by more than one trusted OP"));
        Assert.That(_a.UserInfoCalls, Is.EqualTo(2), "probed again: no OP was remembered as the token's issuer");
        Assert.That(_b.UserInfoCalls, Is.EqualTo(2));
    }

    [Test]
    public async Task AuthenticateAsync_OneOpAcceptsAndTheOtherIsDown_Accepted()
    {
        _a.UserInfo = _ => Answer.Ok("""{"sub":"bob"}""");
        _b.UserInfo = _ => new Answer(503, "{}");
        using var engine = Engine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest("token"));

        Assert.That(result.Error, Is.Null);
        Assert.That(result.UserInfos!.ToString(), Is.EqualTo($"bob@{A}"));
    }

    [Test]
    public async Task AuthenticateAsync_ProbesPerSecondSpent_401WithoutOpCallAndNotRemembered()
    {
        using var engine = Engine(options => options.Probing.MaxProbesPerSecond = 2);
        await engine.AuthenticateAsync(new AuthenticationRequest("garbage-1"));
        await engine.AuthenticateAsync(new AuthenticationRequest("garbage-2"));

        var refused = await engine.AuthenticateAsync(new AuthenticationRequest("garbage-3"));

        Assert.That(refused.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(refused.Error!.Description, Is.EqualTo("Token is not a JWT, and its issuer cannot be looked for now (more than 2 tokens per second are being probed); try again later"));
        Assert.That(_a.UserInfoCalls + _b.UserInfoCalls, Is.EqualTo(4), "the refused token cost no OP call");

        // Half a second refills one probe; the refusal was not remembered, so the token is probed now.
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var retried = await engine.AuthenticateAsync(new AuthenticationRequest("garbage-3"));

        Assert.That(retried.Error?.Description, Is.EqualTo("No trusted OP accepted the token"));
        Assert.That(_a.UserInfoCalls + _b.UserInfoCalls, Is.EqualTo(6));
    }

    [Test]
    public async Task AuthenticateAsync_ConcurrentProbesSpent_401WithoutOpCall()
    {
        var release = new TaskCompletionSource();
        _a.UserInfo = token => token == "slow" ? new Answer(401, "{}", release.Task) : Answer.Unauthorized;
        using var engine = Engine(options => options.Probing.MaxConcurrentProbes = 1);
        var first = engine.AuthenticateAsync(new AuthenticationRequest("slow")).AsTask();
        await WaitUntil(() => Volatile.Read(ref _a.UserInfoCalls) == 1);

        var refused = await engine.AuthenticateAsync(new AuthenticationRequest("other"));
        release.SetResult();
        await first;

        Assert.That(refused.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(refused.Error!.Description, Does.Contain("(all 1 concurrent probes are in use)"));
        Assert.That(_a.UserInfoCalls, Is.EqualTo(1));
    }

    [Test]
    public async Task AuthenticateAsync_ProbeFinished_ConcurrencyBudgetGivenBack()
    {
        using var engine = Engine(options => options.Probing.MaxConcurrentProbes = 1);
        await engine.AuthenticateAsync(new AuthenticationRequest("garbage-1"));

        var next = await engine.AuthenticateAsync(new AuthenticationRequest("garbage-2"));

        Assert.That(next.Error?.Description, Is.EqualTo("No trusted OP accepted the token"));
    }

    [Test]
    public async Task AuthenticateAsync_NoAcceptanceAndOneOpMisconfigured_500NotAnOutage()
    {
        // b's discovery names another issuer: a fault of configuration, which waiting will not cure.
        _b.DiscoveryIssuer = "https://elsewhere.example";
        using var engine = Engine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest("opaque-token"));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(500));
        Assert.That(result.Error!.Description, Does.StartWith("No trusted OP accepted the token, and 1 of 2 could not be asked"));
    }

    [Test]
    public async Task AuthenticateAsync_NoAcceptanceOneOpDownAndOneMisconfigured_503()
    {
        _a.UserInfo = _ => new Answer(503, "{}");
        _b.DiscoveryIssuer = "https://elsewhere.example";
        using var engine = Engine();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest("opaque-token"));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
        Assert.That(result.Error!.Description, Does.Contain($"The OP {A} could not be reached"));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        // A bound, so that a regression (probes run one after another) fails instead of hanging the run.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.Fail("The probes did not reach the OPs together within 30 s");
            }

            await Task.Delay(5);
        }
    }

    private FlaatAuthenticator Engine(Action<FlaatOptions>? configure = null)
    {
        var options = new FlaatOptions { TrustedIssuers = { A, B } };
        configure?.Invoke(options);
        return new FlaatAuthenticator(options, _http, _time);
    }
}
