using Flaat.Diagnostics;
using Flaat.Engine;
using Flaat.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core.Diagnostics;

public sealed class IssuerMonitorTests
{
    [Test]
    public async Task GetIssuers_HealthyOp_ShowsLoadedConfigurationAndKeys()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = time });
        using var unused = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op, unused), timeProvider: time);
        var loadedAt = time.GetUtcNow();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("bob"))));
        time.Advance(TimeSpan.FromMinutes(10));
        var states = engine.GetIssuers();

        Assert.That(result.UserInfos, Is.Not.Null);
        Assert.That(states.Select(s => s.Issuer), Is.EqualTo(new[] { op.Issuer, unused.Issuer }), "every trusted issuer, in configured order");
        var healthy = states[0];
        Assert.Multiple(() =>
        {
            Assert.That(healthy.ConfigurationLoadedAt, Is.EqualTo(loadedAt));
            Assert.That(healthy.KeysLoadedAt, Is.EqualTo(loadedAt));
            Assert.That(healthy.KeyCount, Is.EqualTo(op.SigningKeys.Count));
            Assert.That(healthy.ConfigurationAge, Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(healthy.KeysAge, Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(healthy.LastError, Is.Null);
            Assert.That(healthy.Circuit, Is.EqualTo(FlaatCircuitState.Closed));
            Assert.That(states[1], Is.EqualTo(new FlaatIssuerState { Issuer = unused.Issuer, ObservedAt = time.GetUtcNow() }), "an issuer never asked holds nothing and has no error");
        });
    }

    [Test]
    public async Task GetIssuers_OpDown_ShowsItsLastErrorAndAfterEnoughFailuresAnOpenCircuit()
    {
        using var op = FakeOpenIdProvider.Start();
        var options = EngineTestKit.OptionsFor(op);
        options.Resilience.CircuitBreakerFailureThreshold = 3;
        options.Resilience.MaxRetries = 0;
        using var engine = new FlaatAuthenticator(options);
        op.SimulateDown();

        var first = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("u0"))));
        var afterOne = engine.GetIssuers().Single();
        for (var i = 1; i < 3; i++)
        {
            await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("u" + i))));
        }

        var afterThree = engine.GetIssuers().Single();
        var whileOpen = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("late"))));
        var stillOpen = engine.GetIssuers().Single();

        Assert.Multiple(() =>
        {
            Assert.That(first.Error?.StatusCode, Is.EqualTo(503));
            Assert.That(afterOne.LastError?.StatusCode, Is.EqualTo(503));
            Assert.That(afterOne.LastError?.Description, Does.Contain(op.Issuer).And.Contain("status 503"));
            Assert.That(afterOne.Circuit, Is.EqualTo(FlaatCircuitState.Closed), "one failure does not open the circuit");
            Assert.That(afterOne.ConfigurationLoadedAt, Is.Null);
            Assert.That(afterThree.Circuit, Is.EqualTo(FlaatCircuitState.Open));
            Assert.That(whileOpen.Error?.Description, Does.Contain("circuit is open"));
            Assert.That(stillOpen.Circuit, Is.EqualTo(FlaatCircuitState.Open));
            Assert.That(stillOpen.LastError?.Description, Does.Contain("status 503"), "the open circuit does not hide the cause");
        });
    }

    [Test]
    public async Task GetIssuers_UserInfoEndpointDown_RecordedAsTheOpsFailureBesideItsLoadedConfiguration()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        op.SimulateDown(FakeOpenIdEndpoint.UserInfo);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("bob"))));
        var state = engine.GetIssuers().Single();

        Assert.Multiple(() =>
        {
            Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
            Assert.That(state.ConfigurationLoadedAt, Is.Not.Null);
            Assert.That(state.KeysLoadedAt, Is.Not.Null);
            Assert.That(state.LastError?.StatusCode, Is.EqualTo(503));
            Assert.That(state.LastError?.Description, Does.Contain("userinfo").And.Contain("status 503"));
        });
    }

    [Test]
    public async Task GetIssuers_TokensTheOpRejects_NoErrorRecorded()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        var revoked = op.CreateOpaqueToken(new FakeUser("bob"));
        op.RevokeToken(revoked);

        var rejected = await engine.AuthenticateAsync(new AuthenticationRequest(revoked));
        var madeUp = await engine.AuthenticateAsync(new AuthenticationRequest("made-up-token"));
        var state = engine.GetIssuers().Single();

        Assert.Multiple(() =>
        {
            Assert.That(rejected.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(madeUp.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(state.LastError, Is.Null, "a client's bad token is never the OP's failure");
            Assert.That(state.Circuit, Is.EqualTo(FlaatCircuitState.Closed));
            Assert.That(state.ConfigurationLoadedAt, Is.Not.Null);
        });
    }
}
