using Flaat.Engine;
using Flaat.Tokens;
using Flaat.Testing;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Flaat.Tests.Core.Http;

/// <summary>
/// OP requests never follow redirects: a followed 302 from userinfo made another origin's JSON the
/// user's claims, a followed 307 from introspection re-posted the token elsewhere. A 3xx is an OP
/// fault (503, never the user's), and the other origin gets nothing.
/// </summary>
public sealed class RedirectTests
{
    private WireMockServer _elsewhere = null!;

    [SetUp]
    public void StartElsewhere()
    {
        _elsewhere = WireMockServer.Start();
        _elsewhere.Given(Request.Create().UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"sub":"mallory","active":true,"groups":["admins"]}"""));
    }

    [TearDown]
    public void StopElsewhere() => _elsewhere.Dispose();

    private static void Redirect(FakeOpenIdProvider op, string endpoint, int status, string to) =>
        op.Server.Given(Request.Create().WithPath(new Uri(endpoint).AbsolutePath).UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Location", to));

    [TestCase(302)]
    [TestCase(307)]
    public async Task AuthenticateAsync_UserInfoRedirects_503AndNotFollowed(int status)
    {
        using var op = FakeOpenIdProvider.Start();
        Redirect(op, op.UserInfoEndpoint, status, _elsewhere.Url + "/claims");
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("alice"))));

        Assert.Multiple(() =>
        {
            Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
            Assert.That(result.Error!.Description, Does.Contain($"redirect (status {status})"));
            Assert.That(_elsewhere.LogEntries, Is.Empty, "the redirect was not followed");
        });
    }

    [Test]
    public async Task AuthenticateAsync_IntrospectionRedirects307_503AndTheTokenIsNotPostedElsewhere()
    {
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { ClientId = "api", ClientSecret = "secret" });
        Redirect(op, op.IntrospectionEndpoint!, 307, _elsewhere.Url + "/introspect");
        var options = EngineTestKit.OptionsFor(op);
        options.ClientId = "api";
        options.ClientSecret = "secret";
        using var engine = new FlaatAuthenticator(options);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateOpaqueToken(new FakeUser("alice"))));

        Assert.Multiple(() =>
        {
            Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
            Assert.That(result.Error!.Description, Does.Contain("redirect (status 307)"));
            Assert.That(_elsewhere.LogEntries, Is.Empty, "the token was not re-posted to another origin");
        });
    }

    [Test]
    public async Task JwksClient_JwksUriRedirects_503AndNotFollowed()
    {
        // The public JWKS client builds its own HTTP client: the same one as the engine's.
        using var op = FakeOpenIdProvider.Start();
        Redirect(op, op.JwksUri, 302, _elsewhere.Url + "/keys");
        using var client = new FlaatJwksClient(new Uri(op.JwksUri));

        var thrown = Assert.ThrowsAsync<FlaatUnavailableException>(() => client.GetSigningKeysAsync());

        Assert.That(thrown!.Message, Does.Contain("redirect (status 302)"));
        Assert.That(_elsewhere.LogEntries, Is.Empty, "the redirect was not followed");
    }

    [Test]
    public async Task AuthenticateAsync_DiscoveryRedirects_503AndNotFollowed()
    {
        using var op = FakeOpenIdProvider.Start();
        Redirect(op, op.DiscoveryEndpoint, 302, _elsewhere.Url + "/.well-known/openid-configuration");
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("alice"))));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
        Assert.That(_elsewhere.LogEntries, Is.Empty);
    }

    [Test]
    public async Task AuthenticateAsync_ClientRegisteredByAddFlaat_DoesNotFollowRedirects()
    {
        using var op = FakeOpenIdProvider.Start();
        Redirect(op, op.UserInfoEndpoint, 302, _elsewhere.Url + "/claims");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFlaat(options =>
        {
            options.TrustedIssuers.Add(op.Issuer);
            options.RequestTimeout = TimeSpan.FromSeconds(10);
        });
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<IFlaatAuthenticator>();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("alice"))));

        Assert.Multiple(() =>
        {
            Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
            Assert.That(result.Error!.Description, Does.Contain("redirect (status 302)"));
            Assert.That(_elsewhere.LogEntries, Is.Empty);
        });
    }

    [Test]
    public async Task AuthenticateAsync_CallerClientFollowsRedirect_AnswerOfTheOtherUrlIsNotUsed()
    {
        using var op = FakeOpenIdProvider.Start();
        Redirect(op, op.UserInfoEndpoint, 302, _elsewhere.Url + "/claims");
        // A client of the caller's with the default AllowAutoRedirect = true: Flaat cannot stop it
        // following, but it sees that the answer came from another URL and does not use it.
        using var http = new HttpClient();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op), http);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("alice"))));

        Assert.Multiple(() =>
        {
            Assert.That(result.Error?.StatusCode, Is.EqualTo(503));
            Assert.That(result.Error!.Description, Does.Contain("redirected the request to another URL"));
            Assert.That(result.UserInfos, Is.Null, "mallory's claims are not alice's");
        });
    }
}
