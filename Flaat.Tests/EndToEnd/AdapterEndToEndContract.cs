using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.EndToEnd;

/// <summary>
/// The scenarios every HTTP adapter must pass against a real OP, run by a subclass per adapter that
/// wires the same endpoints its own way on a real Kestrel server (127.0.0.1, free port), configured
/// from configuration keys as an application is: <c>/info</c> (the user infos JSON, authentication
/// required), <c>/admin</c> (access level <c>admin</c> from configuration: group <c>admins</c>),
/// <c>/vo</c> (the AARC entitlement <see cref="AdminEntitlement"/>) and <c>/email</c> (claim
/// <c>email</c> equal to Alice's address).
/// </summary>
[Category("EndToEnd")]
public abstract partial class AdapterEndToEndContract
{
    protected const string AdminEntitlement = "urn:geant:example.org:group:admins#aai.example.org";
    protected const string AdminEmail = "alice@example.org";

    private WebApplication? _app;
    private HttpClient _client = null!;

    /// <summary>Adds the adapter's services (MVC, authentication, ...).</summary>
    protected abstract void ConfigureServices(IServiceCollection services);

    /// <summary>Maps the four endpoints.</summary>
    protected abstract void MapEndpoints(WebApplication app);

    /// <summary>What <c>/info</c> returns.</summary>
    protected static IResult Info(UserInfos user) => Results.Text(user.ToJson(), "application/json");

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(await OidcProviders.AppSettingsAsync());
        builder.Services.AddFlaat(builder.Configuration.GetSection("Flaat"));
        ConfigureServices(builder.Services);
        _app = builder.Build();
        MapEndpoints(_app);
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()), Timeout = TimeSpan.FromSeconds(60) };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    [TestCase("/admin", OidcProviderFixture.Alice, false, HttpStatusCode.OK)]
    [TestCase("/admin", OidcProviderFixture.Bob, false, HttpStatusCode.Forbidden)]
    [TestCase("/admin", OidcProviderFixture.Alice, true, HttpStatusCode.OK)]
    [TestCase("/admin", OidcProviderFixture.Bob, true, HttpStatusCode.Forbidden)]
    [TestCase("/vo", OidcProviderFixture.Alice, false, HttpStatusCode.OK)]
    [TestCase("/vo", OidcProviderFixture.Bob, false, HttpStatusCode.Forbidden)]
    [TestCase("/vo", OidcProviderFixture.Alice, true, HttpStatusCode.OK)]
    [TestCase("/vo", OidcProviderFixture.Bob, true, HttpStatusCode.Forbidden)]
    [TestCase("/email", OidcProviderFixture.Alice, false, HttpStatusCode.OK)]
    [TestCase("/email", OidcProviderFixture.Bob, false, HttpStatusCode.Forbidden)]
    [TestCase("/email", OidcProviderFixture.Alice, true, HttpStatusCode.OK)]
    [TestCase("/email", OidcProviderFixture.Bob, true, HttpStatusCode.Forbidden)]
    public async Task Requirement_RealToken_AllowsAliceRefusesBob(string path, string user, bool jwt, HttpStatusCode expected)
    {
        var token = await OidcProviders.TokenAsync(user, jwt);

        using var response = await GetAsync(path, token);

        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Multiple(() =>
            {
                Assert.That(ErrorOf(body).Description, Does.Contain($"{user}@"));
                Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("error=\"insufficient_scope\""));
            });
        }
    }

    [TestCase(OidcProviderFixture.Alice)]
    [TestCase(OidcProviderFixture.Bob)]
    public async Task Info_OpaqueToken_UserinfoAndIntrospectionFromTheOp(string user)
    {
        var token = await OidcProviders.TokenAsync(user, jwt: false);

        using var response = await GetAsync("/info", token);

        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("access_token_info").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(root.GetProperty("user_info").GetProperty("sub").GetString(), Is.EqualTo(user));
            Assert.That(root.GetProperty("user_info").GetProperty("email").GetString(), Is.EqualTo($"{user}@example.org"));
            Assert.That(root.GetProperty("introspection_info").GetProperty("active").GetBoolean(), Is.True);
            Assert.That(root.GetProperty("introspection_info").GetProperty("client_id").GetString(), Is.EqualTo(OidcProviderFixture.AppClientId));
        });
    }

    [Test]
    public async Task Info_Jwt_VerifiedTokenInfo()
    {
        var token = await OidcProviders.TokenAsync(OidcProviderFixture.Alice, jwt: true);

        using var response = await GetAsync("/info", token);

        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        using var json = JsonDocument.Parse(body);
        var info = json.RootElement.GetProperty("access_token_info");
        Assert.Multiple(() =>
        {
            Assert.That(info.GetProperty("verification").GetProperty("algorithm").GetString(), Is.EqualTo("RS256"));
            Assert.That(info.GetProperty("header").GetProperty("kid").GetString(), Is.EqualTo("sig-rs256"));
            Assert.That(info.GetProperty("body").GetProperty("aud").GetString(), Is.EqualTo(OidcProviderFixture.JwtResource));
            Assert.That(info.GetProperty("body").GetProperty("sub").GetString(), Is.EqualTo(OidcProviderFixture.Alice));
        });
    }

    [Test]
    public async Task Info_NoToken_Unauthorized()
    {
        using var response = await GetAsync("/info", token: null);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Bearer"));
        });
    }

    [Test]
    public async Task Info_ExpiredOpaqueToken_UnauthorizedInvalidToken()
    {
        var expired = await OidcProviders.ExpiredTokensAsync();

        using var response = await GetAsync("/info", expired.Opaque);

        AssertInvalidToken(response, await response.Content.ReadAsStringAsync(), descriptionContains: null);
    }

    [Test]
    public async Task Info_ExpiredJwt_UnauthorizedAsExpired()
    {
        var expired = await OidcProviders.ExpiredTokensAsync();

        using var response = await GetAsync("/info", expired.Jwt);

        AssertInvalidToken(response, await response.Content.ReadAsStringAsync(), "expired");
    }

    [Test]
    public async Task Info_JwtFromUntrustedOp_UnauthorizedNamingTheIssuer()
    {
        var untrusted = await OidcProviders.UntrustedAsync();
        var token = await untrusted.Client.GetJwtAsync(OidcProviderFixture.Alice);

        using var response = await GetAsync("/info", token);

        AssertInvalidToken(response, await response.Content.ReadAsStringAsync(), untrusted.Issuer);
    }

    [Test]
    public async Task Info_OpaqueTokenFromUntrustedOp_Unauthorized()
    {
        var untrusted = await OidcProviders.UntrustedAsync();
        var token = await untrusted.Client.GetOpaqueTokenAsync(OidcProviderFixture.Alice);

        using var response = await GetAsync("/info", token);

        AssertInvalidToken(response, await response.Content.ReadAsStringAsync(), descriptionContains: null);
    }

    [Test]
    public async Task Admin_JwtFromImpostorOfTheTrustedIssuer_UnauthorizedBadSignature()
    {
        var impostor = await OidcProviders.ImpostorAsync();
        var token = await impostor.Client.GetJwtAsync(OidcProviderFixture.Alice);

        using var response = await GetAsync("/admin", token);

        AssertInvalidToken(response, await response.Content.ReadAsStringAsync(), "Signature");
    }

    private async Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await _client.SendAsync(request);
    }

    private static void AssertInvalidToken(HttpResponseMessage response, string body, string? descriptionContains)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), body);
        Assert.Multiple(() =>
        {
            Assert.That(ErrorOf(body).Error, Is.EqualTo("Unauthenticated"));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer error=\"invalid_token\""));
            if (descriptionContains is not null)
            {
                Assert.That(ErrorOf(body).Description, Does.Contain(descriptionContains));
            }
        });
    }

    private static (string? Error, string? Description) ErrorOf(string body)
    {
        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("error").GetString(), json.RootElement.GetProperty("error_description").GetString());
    }
}
