using System.Diagnostics;
using Flaat.Engine;
using Flaat.Testing;

namespace Flaat.Tests.Core.Engine;

public sealed class ProbingTests
{
    [Test]
    public async Task AuthenticateAsync_OpaqueTokenOfThirdOp_ProbesInParallel()
    {
        var delay = TimeSpan.FromSeconds(1);
        using var a = FakeOpenIdProvider.Start();
        using var b = FakeOpenIdProvider.Start();
        using var c = FakeOpenIdProvider.Start();
        foreach (var op in new[] { a, b, c })
        {
            op.SimulateSlow(delay, FakeOpenIdEndpoint.UserInfo);
        }

        var options = EngineTestKit.OptionsFor(a, b, c);
        options.RequestTimeout = TimeSpan.FromSeconds(5);
        using var engine = new FlaatAuthenticator(options);
        var token = c.CreateOpaqueToken(new FakeUser("bob"));

        var watch = Stopwatch.StartNew();
        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));
        watch.Stop();

        Assert.That(result.Error, Is.Null);
        Assert.That(result.UserInfos!.Issuer, Is.EqualTo(c.Issuer));
        // Sequential probing needs at least three delays; parallel needs about one (loose: anything under
        // three, so that a loaded 2-core machine does not fail it).
        Assert.That(watch.Elapsed, Is.LessThan(delay * 3));
    }

    [Test]
    public async Task AuthenticateAsync_SecondUseOfProbedToken_AsksOnlyItsIssuer()
    {
        using var a = FakeOpenIdProvider.Start();
        using var b = FakeOpenIdProvider.Start();
        var options = EngineTestKit.OptionsFor(a, b);
        options.Cache.MaxUserInfosLifetime = TimeSpan.FromSeconds(1);
        // One probe at a time, in configured order: a has answered before b is asked, so no request of the
        // first probe can still be on its way to a when the counts are reset (in parallel, a's call-off
        // request could reach a after the reset).
        options.Probing.MaxParallelism = 1;
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var engine = new FlaatAuthenticator(options, timeProvider: time);
        var token = b.CreateOpaqueToken(new FakeUser("bob"));
        await engine.AuthenticateAsync(new AuthenticationRequest(token));
        Assert.That(a.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1), "the first use probes a");
        time.Advance(TimeSpan.FromSeconds(2));
        a.ResetRequestCounts();

        var again = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(again.Error, Is.Null);
        Assert.That(a.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero);
        Assert.That(b.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(2));
    }

    [Test]
    public async Task AuthenticateAsync_ProbedTokenAfterTokenIssuerLifetime_ProbedAgain()
    {
        using var a = FakeOpenIdProvider.Start();
        using var b = FakeOpenIdProvider.Start();
        var options = EngineTestKit.OptionsFor(a, b);
        options.Cache.MaxUserInfosLifetime = TimeSpan.FromSeconds(1);
        options.Cache.TokenIssuerLifetime = TimeSpan.FromMinutes(1);
        options.Probing.MaxParallelism = 1;
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        using var engine = new FlaatAuthenticator(options, timeProvider: time);
        var token = b.CreateOpaqueToken(new FakeUser("bob"));
        await engine.AuthenticateAsync(new AuthenticationRequest(token));
        time.Advance(TimeSpan.FromMinutes(2));
        a.ResetRequestCounts();

        var again = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(again.Error, Is.Null);
        Assert.That(a.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1), "the remembered issuer expired with Cache:TokenIssuerLifetime, not with the configuration's hour");
    }

    [Test]
    public async Task AuthenticateAsync_EveryOpRejects_401()
    {
        using var a = FakeOpenIdProvider.Start();
        using var b = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(a, b));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest("unknown-opaque-token"));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo("No trusted OP accepted the token"));
    }

    [Test]
    public async Task AuthenticateAsync_EveryOpUnreachable_503()
    {
        using var a = FakeOpenIdProvider.Start();
        using var b = FakeOpenIdProvider.Start();
        a.SimulateDown();
        b.SimulateUnreachable();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(a, b));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest("unknown-opaque-token"));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
        Assert.That(result.Error!.Description, Does.StartWith("No trusted OP accepted the token, and 2 of 2 could not be asked"));
    }

    [Test]
    public async Task AuthenticateAsync_IssuerIssuesOnlyJwts_NotProbed()
    {
        using var jwtOnly = FakeOpenIdProvider.Start();
        using var other = FakeOpenIdProvider.Start();
        var options = EngineTestKit.OptionsFor(other);
        options.Issuers.Add(new IssuerOptions { Issuer = jwtOnly.Issuer, IssuesJwt = true });
        using var engine = new FlaatAuthenticator(options);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest("unknown-opaque-token"));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(Enum.GetValues<FakeOpenIdEndpoint>().Sum(jwtOnly.RequestCount), Is.Zero);
        Assert.That(other.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1));
    }

    [Test]
    public async Task AuthenticateAsync_ProbeDeadlinePassed_503()
    {
        using var slow = FakeOpenIdProvider.Start();
        slow.SimulateSlow(TimeSpan.FromSeconds(5), FakeOpenIdEndpoint.UserInfo);
        var options = EngineTestKit.OptionsFor(slow);
        options.Probing.Deadline = TimeSpan.FromMilliseconds(300);
        options.RequestTimeout = TimeSpan.FromSeconds(10);
        using var engine = new FlaatAuthenticator(options);

        var watch = Stopwatch.StartNew();
        var result = await engine.AuthenticateAsync(new AuthenticationRequest("unknown-opaque-token"));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
        Assert.That(result.Error!.Description, Does.Contain("probing deadline"));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
    }
}
