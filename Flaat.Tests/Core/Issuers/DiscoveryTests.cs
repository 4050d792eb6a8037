using Flaat.Engine;
using Flaat.Testing;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Flaat.Tests.Core.Issuers;

public sealed class DiscoveryTests
{
    [Test]
    public async Task AuthenticateAsync_DiscoveryNamesAnotherIssuer_ConfigurationErrorNot401()
    {
        using var op = FakeOpenIdProvider.Start();
        op.ServeDocument(FakeOpenIdEndpoint.Discovery, $$"""{"issuer":"https://evil.example","userinfo_endpoint":"{{op.UserInfoEndpoint}}","jwks_uri":"{{op.JwksUri}}"}""");
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("bob"))));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(500));
        Assert.That(result.Error!.Description, Does.Contain("names another issuer: https://evil.example"));
        Assert.That(op.RequestCount(FakeOpenIdEndpoint.Jwks) + op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero);
    }

    [TestCase("[1,2,3]")]
    [TestCase("\"a string\"")]
    [TestCase("null")]
    public async Task AuthenticateAsync_DiscoveryAnswersJsonThatIsNoObject_503RememberedBrieflyNotFetchedPerRequest(string document)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = time });
        op.ServeDocument(FakeOpenIdEndpoint.Discovery, document);
        var options = EngineTestKit.OptionsFor(op);
        options.Cache.RejectionLifetime = TimeSpan.FromSeconds(10);
        using var engine = new FlaatAuthenticator(options, timeProvider: time);

        var results = new List<AuthenticationResult>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("u" + i)))));
        }

        var whileRemembered = op.RequestCount(FakeOpenIdEndpoint.Discovery);
        time.Advance(TimeSpan.FromSeconds(11));
        await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("late"))));

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.Error?.StatusCode), Is.All.EqualTo(503), "the OP's fault, not the user's");
            Assert.That(results[0].Error!.Description, Does.Contain("not a JSON object"));
            Assert.That(whileRemembered, Is.EqualTo(1), "asked once, not retried, not asked per request");
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.Discovery), Is.EqualTo(2), "asked again once the failure is forgotten");
        });
    }

    [Test]
    public async Task AuthenticateAsync_DiscoveryAnswersJsonThatIsNoObject_CountedByTheCircuitBreaker()
    {
        using var op = FakeOpenIdProvider.Start();
        op.ServeDocument(FakeOpenIdEndpoint.Discovery, "[]");
        var options = EngineTestKit.OptionsFor(op);
        options.Cache.RejectionLifetime = TimeSpan.Zero;
        options.Resilience.CircuitBreakerFailureThreshold = 2;
        using var engine = new FlaatAuthenticator(options);

        for (var i = 0; i < 2; i++)
        {
            await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("u" + i))));
        }

        var third = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("third"))));

        Assert.Multiple(() =>
        {
            Assert.That(third.Error?.StatusCode, Is.EqualTo(503));
            Assert.That(third.Error!.Description, Does.Contain("circuit is open"));
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.Discovery), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task AuthenticateAsync_DocumentOnlyUnderOauth2_FoundBySecondRule()
    {
        using var server = WireMockServer.Start();
        var issuer = server.Url!;
        server.Given(Request.Create().WithPath("/oauth2/.well-known/openid-configuration").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { issuer, userinfo_endpoint = issuer + "/ui" }));
        server.Given(Request.Create().WithPath("/ui").UsingGet().WithHeader("Authorization", "Bearer opaque-token-1"))
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { sub = "dora" }));
        using var engine = new FlaatAuthenticator(new FlaatOptions { TrustedIssuers = { issuer } });

        var result = await engine.AuthenticateAsync(new AuthenticationRequest("opaque-token-1"));

        Assert.That(result.Error, Is.Null);
        Assert.That(result.UserInfos!.Subject, Is.EqualTo("dora"));
        Assert.That(result.UserInfos.Issuer, Is.EqualTo(issuer), "the discovery issuer is added to a userinfo answer without iss");
        Assert.That(server.LogEntries.Count(e => e.RequestMessage.Path == "/.well-known/openid-configuration"), Is.EqualTo(1));
    }

    [Test]
    public async Task AuthenticateAsync_ManyConcurrentFirstUses_OneDiscoveryAndOneJwksRequest()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        var tokens = Enumerable.Range(0, 20).Select(i => op.CreateJwt(new FakeUser("u" + i))).ToList();

        var results = await Task.WhenAll(tokens.Select(t => engine.AuthenticateAsync(new AuthenticationRequest(t)).AsTask()));

        Assert.That(results.Select(r => r.Error), Is.All.Null);
        Assert.That(op.RequestCount(FakeOpenIdEndpoint.Discovery), Is.EqualTo(1));
        Assert.That(op.RequestCount(FakeOpenIdEndpoint.Jwks), Is.EqualTo(1));
    }

    [Test]
    public async Task AuthenticateAsync_OpDownAfterDiscoveryExpired_StaleConfigurationServed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = time });
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op), timeProvider: time);
        var user = new FakeUser("erin");
        await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateOpaqueToken(user, TimeSpan.FromHours(3))));
        time.Advance(TimeSpan.FromHours(1.5));
        op.SimulateDown(FakeOpenIdEndpoint.Discovery);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateOpaqueToken(user, TimeSpan.FromHours(3))));

        Assert.That(result.Error, Is.Null);
        Assert.That(op.RequestCount(FakeOpenIdEndpoint.Discovery), Is.GreaterThanOrEqualTo(2), "a refresh was attempted");
    }
}
