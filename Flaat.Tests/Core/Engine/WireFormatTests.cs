using Flaat.Engine;
using Flaat.Testing;
using Microsoft.Extensions.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Flaat.Tests.Core.Engine;

public sealed class WireFormatTests
{
    [Test]
    public async Task AuthenticateAsync_OpaqueToken_BearerUserInfoThenIntrospectionPostWithBasicAuthAndHint()
    {
        using var server = WireMockServer.Start();
        var issuer = server.Url!;
        server.Given(Request.Create().WithPath("/.well-known/openid-configuration").UsingGet())
            .RespondWith(Response.Create().WithBodyAsJson(new { issuer, userinfo_endpoint = issuer + "/ui", introspection_endpoint = issuer + "/intro" }));
        server.Given(Request.Create().WithPath("/ui").UsingGet().WithHeader("Authorization", "Bearer tok-123"))
            .RespondWith(Response.Create().WithBodyAsJson(new { sub = "fay", iss = issuer }));
        server.Given(Request.Create().WithPath("/intro").UsingPost()
                .WithHeader("Authorization", "Basic " + Convert.ToBase64String("cid:sec%3Aret"u8.ToArray()))
                .WithBody(b => b is not null && b.Contains("token=tok-123", StringComparison.Ordinal) && b.Contains("token_type_hint=access_token", StringComparison.Ordinal)))
            .RespondWith(Response.Create().WithBodyAsJson(new { active = true, scope = "openid" }));
        var options = new FlaatOptions { TrustedIssuers = { issuer }, ClientId = "cid", ClientSecret = "sec:ret" };
        using var engine = new FlaatAuthenticator(options);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest("tok-123"));

        Assert.That(result.Error, Is.Null);
        Assert.That(result.UserInfos!.GetString("scope"), Is.EqualTo("openid"));
        Assert.That(result.UserInfos.Subject, Is.EqualTo("fay"));
    }

    [Test]
    public async Task AuthenticateAsync_JwtWithoutIss_HandledAsOpaqueAndItsClaimsUnused()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        var token = op.CreateJwt(new FakeUser("bob"), new FakeTokenOptions { Claims = { ["iss"] = null } });

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error, Is.Null, "the OP recognises its own token when probed");
        Assert.That(result.UserInfos!.AccessTokenInfo, Is.Null);
        Assert.That(op.RequestCount(FakeOpenIdEndpoint.Jwks), Is.Zero);
    }

    [Test]
    public void GetUserInfosAsync_OpDown_UnavailableException()
    {
        using var op = FakeOpenIdProvider.Start();
        op.SimulateDown();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));

        var error = Assert.ThrowsAsync<FlaatUnavailableException>(() => engine.GetUserInfosAsync(op.CreateJwt(new FakeUser("bob"))));

        Assert.That(error!.StatusCode, Is.EqualTo(503));
    }

    [Test]
    public async Task AuthenticateAsync_AnyOutcome_TokenNeverInALogLine()
    {
        using var op = FakeOpenIdProvider.Start();
        var sink = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(sink));
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op), loggerFactory: factory);
        var good = op.CreateJwt(new FakeUser("bob"));
        var opaque = "opaque-secret-token-value";
        var tampered = good[..^4] + "AAAA";

        await engine.AuthenticateAsync(new AuthenticationRequest(good));
        await engine.AuthenticateAsync(new AuthenticationRequest(opaque));
        await engine.AuthenticateAsync(new AuthenticationRequest(tampered));
        op.SimulateDown();
        await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("carol"))));

        Assert.That(sink.Lines, Is.Not.Empty);
        Assert.That(sink.Lines, Has.None.Contains(opaque).And.None.Contains(good.Split('.')[2]).And.None.Contains(tampered.Split('.')[1]));
    }
}
