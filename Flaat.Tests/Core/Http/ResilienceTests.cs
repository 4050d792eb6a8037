using System.Diagnostics;
using Flaat.Engine;
using Flaat.Testing;

namespace Flaat.Tests.Core.Http;

public sealed class ResilienceTests
{
    [Test]
    public async Task AuthenticateAsync_OpDown_503ThenCircuitOpensAndOpIsNoLongerCalled()
    {
        using var op = FakeOpenIdProvider.Start();
        var options = EngineTestKit.OptionsFor(op);
        options.Resilience.CircuitBreakerFailureThreshold = 3;
        options.Resilience.MaxRetries = 0;
        options.Cache.RejectionLifetime = TimeSpan.Zero;
        using var engine = new FlaatAuthenticator(options);
        op.SimulateDown();

        var results = new List<AuthenticationResult>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("u" + i)))));
        }

        var callsUntilOpen = op.RequestCount(FakeOpenIdEndpoint.Discovery);
        var whileOpen = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("late"))));

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.Error?.StatusCode), Is.All.EqualTo(503));
            Assert.That(callsUntilOpen, Is.EqualTo(3));
            Assert.That(whileOpen.Error?.StatusCode, Is.EqualTo(503));
            Assert.That(whileOpen.Error!.Description, Does.Contain("circuit is open"));
            Assert.That(whileOpen.Error.RetryAfter, Is.Not.Null);
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.Discovery), Is.EqualTo(callsUntilOpen), "an open circuit fails fast without a request");
        });
    }

    [Test]
    public async Task AuthenticateAsync_TransientDiscoveryFailure_RetriedOnce()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        // A 503 rather than a dropped connection: SocketsHttpHandler may itself resend a request whose
        // pooled connection closed, which would blur the count.
        op.SimulateDown(FakeOpenIdEndpoint.Discovery);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("bob"))));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
        Assert.That(op.RequestCount(FakeOpenIdEndpoint.Discovery), Is.EqualTo(2), "one attempt and one retry (default MaxRetries 1)");
    }

    [Test]
    public async Task AuthenticateAsync_SlowOp_CutOffAtTheRequestTimeout()
    {
        using var op = FakeOpenIdProvider.Start();
        var options = EngineTestKit.OptionsFor(op);
        options.RequestTimeout = TimeSpan.FromMilliseconds(300);
        using var engine = new FlaatAuthenticator(options);
        var token = op.CreateJwt(new FakeUser("bob"));
        await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("warm-up"))));
        op.SimulateSlow(TimeSpan.FromSeconds(10), FakeOpenIdEndpoint.UserInfo);

        var watch = Stopwatch.StartNew();
        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));
        watch.Stop();

        Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
        Assert.That(result.Error!.Description, Does.Contain("did not answer within 0.3 s"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
    }

    [Test]
    public async Task AuthenticateAsync_OpBackAfterBreakDuration_CircuitClosesAgain()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = time });
        var options = EngineTestKit.OptionsFor(op);
        options.Resilience.CircuitBreakerFailureThreshold = 2;
        options.Resilience.MaxRetries = 0;
        using var engine = new FlaatAuthenticator(options, timeProvider: time);
        op.SimulateDown();
        for (var i = 0; i < 2; i++)
        {
            await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("u" + i))));
        }

        op.Restore();
        var stillOpen = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("early"))));
        time.Advance(options.Resilience.CircuitBreakDuration + TimeSpan.FromSeconds(1));
        var closed = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("late"))));

        Assert.That(stillOpen.Error?.Description, Does.Contain("circuit is open"));
        Assert.That(closed.Error, Is.Null);
    }
}
