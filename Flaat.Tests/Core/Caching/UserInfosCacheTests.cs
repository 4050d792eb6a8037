using Flaat.Engine;
using Flaat.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core.Caching;

public sealed class UserInfosCacheTests
{
    [Test]
    public async Task AuthenticateAsync_HundredConcurrentRequestsWithOneNewToken_OneUserInfoCall()
    {
        using var op = FakeOpenIdProvider.Start();
        op.SimulateSlow(TimeSpan.FromMilliseconds(200), FakeOpenIdEndpoint.UserInfo);
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        var token = op.CreateJwt(new FakeUser("bob"));

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => engine.AuthenticateAsync(new AuthenticationRequest(token)).AsTask())));

        Assert.That(results.Select(r => r.Error), Is.All.Null);
        Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1));
    }

    [Test]
    public async Task AuthenticateAsync_CachedToken_AnsweredSynchronouslyWithTheSameResult()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        var token = op.CreateJwt(new FakeUser("bob"));
        var first = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        var second = engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(second.IsCompletedSuccessfully, Is.True);
        Assert.That(second.Result, Is.SameAs(first));
    }

    [Test]
    public async Task AuthenticateAsync_FakeTime_CachedUntilMaxLifetimeThenUntilTokenExpiry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = time });
        var options = EngineTestKit.OptionsFor(op);
        options.Cache.MaxUserInfosLifetime = TimeSpan.FromMinutes(5);
        options.ClockSkew = TimeSpan.Zero;
        using var engine = new FlaatAuthenticator(options, timeProvider: time);
        var token = op.CreateJwt(new FakeUser("bob"), new FakeTokenOptions { Lifetime = TimeSpan.FromMinutes(8) });
        var request = new AuthenticationRequest(token);

        await engine.AuthenticateAsync(request);
        time.Advance(TimeSpan.FromMinutes(4));
        var cached = await engine.AuthenticateAsync(request);
        var callsWhileCached = op.RequestCount(FakeOpenIdEndpoint.UserInfo);
        time.Advance(TimeSpan.FromMinutes(2));
        var refreshed = await engine.AuthenticateAsync(request);
        var callsAfterMaxLifetime = op.RequestCount(FakeOpenIdEndpoint.UserInfo);
        time.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        var expired = await engine.AuthenticateAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(cached.Error, Is.Null);
            Assert.That(callsWhileCached, Is.EqualTo(1));
            Assert.That(refreshed.Error, Is.Null);
            Assert.That(callsAfterMaxLifetime, Is.EqualTo(2));
            Assert.That(expired.Error?.Description, Is.EqualTo("Token has expired"), "a cached JWT is not served past its exp");
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task AuthenticateAsync_RejectedTokenFlood_OneUpstreamCallWithinRejectionLifetime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = time });
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op), timeProvider: time);

        for (var i = 0; i < 10; i++)
        {
            await engine.AuthenticateAsync(new AuthenticationRequest("bad-opaque-token"));
        }

        var callsDuringFlood = op.RequestCount(FakeOpenIdEndpoint.UserInfo);
        time.Advance(TimeSpan.FromSeconds(11));
        var later = await engine.AuthenticateAsync(new AuthenticationRequest("bad-opaque-token"));

        Assert.That(callsDuringFlood, Is.EqualTo(1));
        Assert.That(later.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(2));
    }

    [Test]
    public async Task AuthenticateAsync_CallerCancels_CancellationHonouredAndOthersStillServed()
    {
        using var op = FakeOpenIdProvider.Start();
        op.SimulateSlow(TimeSpan.FromMilliseconds(500), FakeOpenIdEndpoint.UserInfo);
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        var token = op.CreateJwt(new FakeUser("bob"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var patient = engine.AuthenticateAsync(new AuthenticationRequest(token)).AsTask();
        Assert.That(async () => await engine.AuthenticateAsync(new AuthenticationRequest(token), cancel.Token), Throws.InstanceOf<OperationCanceledException>());

        Assert.That((await patient).Error, Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_CachedToken_AllocatesNothingPerCall()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        var request = new AuthenticationRequest(op.CreateJwt(new FakeUser("bob")));
        var first = await engine.AuthenticateAsync(request);
        for (var i = 0; i < 100; i++)
        {
            _ = engine.AuthenticateAsync(request);
        }

        var synchronous = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            var pending = engine.AuthenticateAsync(request);
            if (pending.IsCompletedSuccessfully && ReferenceEquals(pending.Result, first))
            {
                synchronous++;
            }
        }

        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0;

        Assert.That(synchronous, Is.EqualTo(1000));
        Assert.That(perCall, Is.LessThan(8), "the cached path hashes on the stack and looks up a struct key");
    }

    [Test]
    public async Task AuthenticateAsync_PostProcessorDropsExp_CachedJwtStillRejectedOnceExpired()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = time });
        var options = EngineTestKit.OptionsFor(op);
        options.ClockSkew = TimeSpan.Zero;
        using var engine = new FlaatAuthenticator(options, timeProvider: time, postProcessors: [new DropExp()]);
        var request = new AuthenticationRequest(op.CreateJwt(new FakeUser("bob"), new FakeTokenOptions { Lifetime = TimeSpan.FromMinutes(2) }));

        var fresh = await engine.AuthenticateAsync(request);
        time.Advance(TimeSpan.FromMinutes(3));
        var expired = await engine.AuthenticateAsync(request);

        Assert.That(fresh.UserInfos!.ExpiresAt, Is.Null, "the post-processor removed exp from the claims");
        Assert.That(expired.Error?.Description, Is.EqualTo("Token has expired"));
    }

    private sealed class DropExp : IUserInfosPostProcessor
    {
        public void PostProcess(UserInfosPostProcessingContext context) => context.AccessTokenBody?.Remove("exp");
    }
}
