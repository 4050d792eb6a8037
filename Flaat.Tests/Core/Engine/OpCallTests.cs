using Flaat.Engine;
using Flaat.Testing;

namespace Flaat.Tests.Core.Engine;

public sealed class OpCallTests
{
    [Test]
    public async Task AuthenticateAsync_UserInfoRejectsTheToken_401NamingTheOp()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        var token = op.CreateJwt(new FakeUser("bob"));
        op.RevokeToken(token);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo($"The OP {op.Issuer} rejected the token at its userinfo endpoint (status 401)"));
    }

    [Test]
    public async Task AuthenticateAsync_UserInfoServerError_503NotBadToken()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));
        op.SimulateServerErrors(FakeOpenIdEndpoint.UserInfo);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("bob"))));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
        Assert.That(result.Error!.Error, Is.EqualTo("Unavailable"));
        Assert.That(result.Error.Description, Does.Contain(op.Issuer).And.Contain("status 500"));
    }

    [Test]
    public async Task AuthenticateAsync_IntrospectionWithPerIssuerCredentials_InfosIncludeIntrospection()
    {
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { ClientId = "api-1", ClientSecret = "s3cret/+=" });
        var options = EngineTestKit.OptionsFor(op);
        options.ClientId = "global";
        options.ClientSecret = "wrong";
        options.Issuers.Add(new IssuerOptions { Issuer = op.Issuer, ClientId = "api-1", ClientSecret = "s3cret/+=" });
        using var engine = new FlaatAuthenticator(options);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateOpaqueToken(new FakeUser("bob"), scope: "openid")));

        Assert.That(result.Error, Is.Null);
        Assert.That(result.UserInfos!.IntrospectionInfo, Is.Not.Null);
        Assert.That(result.UserInfos.IntrospectionInfo!["active"].GetBoolean(), Is.True);
        Assert.That(result.UserInfos.ExpiresAt, Is.Not.Null, "the introspection exp gives the expiry of an opaque token");
        Assert.That(op.RequestCount(FakeOpenIdEndpoint.Introspection), Is.EqualTo(1));
    }

    [Test]
    public async Task AuthenticateAsync_GlobalCredentialsWrong_IntrospectionRefusedIs500()
    {
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { ClientId = "api-1", ClientSecret = "right" });
        var options = EngineTestKit.OptionsFor(op);
        options.ClientId = "api-1";
        options.ClientSecret = "wrong";
        using var engine = new FlaatAuthenticator(options);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateOpaqueToken(new FakeUser("bob"))));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(500));
        Assert.That(result.Error!.Description, Does.Contain("refused the introspection request (status 401)"));
    }

    [Test]
    public async Task AuthenticateAsync_IntrospectionSaysNotActive_401()
    {
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { ClientId = "api-1", ClientSecret = "right" });
        op.ServeDocument(FakeOpenIdEndpoint.Introspection, """{"active":false}""");
        var options = EngineTestKit.OptionsFor(op);
        options.ClientId = "api-1";
        options.ClientSecret = "right";
        using var engine = new FlaatAuthenticator(options);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("bob"))));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo($"The OP {op.Issuer} reports the token as not active"));
    }

    [Test]
    public async Task AuthenticateAsync_OfflineMode_NoUserInfoUntilRequired()
    {
        using var op = FakeOpenIdProvider.Start();
        var options = EngineTestKit.OptionsFor(op);
        options.TokenClaimsSuffice = true;
        using var engine = new FlaatAuthenticator(options);
        var token = op.CreateJwt(new FakeUser("bob").WithClaim("email", "b@example.org"));

        var offline = await engine.AuthenticateAsync(new AuthenticationRequest(token));
        var offlineAgain = await engine.AuthenticateAsync(new AuthenticationRequest(token));
        var countOffline = op.RequestCount(FakeOpenIdEndpoint.UserInfo);
        var online = await engine.AuthenticateAsync(new AuthenticationRequest(token, RequireUserInfo: true));
        var afterOnline = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(offline.IsTokenOnly, Is.True);
            Assert.That(offline.UserInfos!.GetString("email"), Is.Null);
            Assert.That(offlineAgain, Is.SameAs(offline));
            Assert.That(countOffline, Is.Zero);
            Assert.That(online.IsTokenOnly, Is.False);
            Assert.That(online.UserInfos!.GetString("email"), Is.EqualTo("b@example.org"));
            Assert.That(afterOnline, Is.SameAs(online), "the fuller result replaces the token-only one");
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1));
        });
    }
}
