using Flaat.Engine;
using Flaat.Testing;

namespace Flaat.Tests.Core.Engine;

public sealed class IssuerResolutionTests
{
    [Test]
    public async Task AuthenticateAsync_JwtOfUntrustedIssuer_RejectedAndNoRequestSentToIt()
    {
        using var trusted = FakeOpenIdProvider.Start();
        using var stranger = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(trusted));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(stranger.CreateJwt(new FakeUser("eve"))));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo($"Issuer is not trusted: {stranger.Issuer}"));
        Assert.That(Enum.GetValues<FakeOpenIdEndpoint>().Sum(stranger.RequestCount), Is.Zero);
        Assert.That(Enum.GetValues<FakeOpenIdEndpoint>().Sum(trusted.RequestCount), Is.Zero);
    }

    [Test]
    public async Task AuthenticateAsync_TrustedIssuerWithTrailingSlash_Matches()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(new FlaatOptions { TrustedIssuers = { op.Issuer + "/" } });

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("bob"))));

        Assert.That(result.Error, Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_PinnedIssuer_JwtOfAnotherTrustedIssuerRejected()
    {
        using var pinned = FakeOpenIdProvider.Start();
        using var other = FakeOpenIdProvider.Start();
        var options = EngineTestKit.OptionsFor(other);
        options.Issuer = pinned.Issuer;
        using var engine = new FlaatAuthenticator(options);

        var foreign = await engine.AuthenticateAsync(new AuthenticationRequest(other.CreateJwt(new FakeUser("bob"))));
        var own = await engine.AuthenticateAsync(new AuthenticationRequest(pinned.CreateJwt(new FakeUser("bob"))));

        Assert.That(foreign.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(foreign.Error!.Description, Is.EqualTo($"Token was issued by {other.Issuer}, not by the expected issuer {pinned.Issuer}"));
        Assert.That(own.Error, Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_PinnedIssuerAndOpaqueToken_OnlyThePinIsAsked()
    {
        using var pinned = FakeOpenIdProvider.Start();
        using var other = FakeOpenIdProvider.Start();
        var options = EngineTestKit.OptionsFor(other);
        options.Issuer = pinned.Issuer;
        using var engine = new FlaatAuthenticator(options);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(pinned.CreateOpaqueToken(new FakeUser("bob"))));

        Assert.That(result.Error, Is.Null);
        Assert.That(result.UserInfos!.Issuer, Is.EqualTo(pinned.Issuer));
        Assert.That(other.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero);
    }

    [Test]
    public async Task AuthenticateAsync_IssuerHintNotTrusted_Rejected()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest("opaque", IssuerHint: "https://elsewhere.example"));

        Assert.That(result.Error!.Description, Is.EqualTo("Issuer is not trusted: https://elsewhere.example"));
    }

    [Test]
    public async Task AuthenticateAsync_IssuerHint_OpaqueTokenGoesToTheHintedOp()
    {
        using var first = FakeOpenIdProvider.Start();
        using var second = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(first, second));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(second.CreateOpaqueToken(new FakeUser("bob")), IssuerHint: second.Issuer));

        Assert.That(result.Error, Is.Null);
        Assert.That(first.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero);
    }

    [Test]
    public async Task AuthenticateAsync_EmptyToken_NoAccessToken()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(""));

        Assert.That(result.Error!.Description, Is.EqualTo("No access token"));
        Assert.That(result.Error.StatusCode, Is.EqualTo(401));
    }

    [Test]
    public async Task GetUserInfosAsync_GoodAndBadToken_InfosOrUnauthenticatedException()
    {
        using var op = FakeOpenIdProvider.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));

        var infos = await engine.GetUserInfosAsync(op.CreateJwt(new FakeUser("bob").WithClaim("email", "b@example.org")));

        Assert.That(infos.GetString("email"), Is.EqualTo("b@example.org"));
        var error = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => engine.GetUserInfosAsync("not-a-token-anyone-knows"));
        Assert.That(error!.Message, Is.EqualTo("No trusted OP accepted the token"));
    }
}
