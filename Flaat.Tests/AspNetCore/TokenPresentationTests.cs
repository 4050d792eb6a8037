using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Flaat.AspNetCore;
using Flaat.Engine;
using Flaat.Evaluation;
using Flaat.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// The presentation and binding seams used as an application would: a token reader and a token
/// binder registered in DI, seen by every HTTP adapter; the ticket's lifetime from the token.
/// </summary>
public sealed class TokenPresentationTests
{
    private const string ApiKeyHeader = "X-Access-Token";

    /// <summary>An application's own reader: the token in a header of its API gateway.</summary>
    private sealed class GatewayHeaderReader : IFlaatTokenReader
    {
        public PresentedToken? Read(HttpContext context) => context.Request.Headers[ApiKeyHeader] switch
        {
            { Count: 0 } => null,
            { Count: 1 } values => BearerToken.FromToken(values[0], TokenSource.Header),
            _ => BearerToken.SeveralHeaders,
        };
    }

    private static Task<TestApp> StartWithReaderAsync(FakeAuthenticator op, Action<WebApplication> map, bool mvc = false) =>
        TestApp.StartAsync(op, builder =>
        {
            builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer));
            builder.Services.AddSingleton<IFlaatTokenReader, GatewayHeaderReader>();
            builder.Services.AddAuthentication(FlaatAuthenticationDefaults.AuthenticationScheme).AddFlaat();
            builder.Services.AddAuthorization();
            if (mvc)
            {
                builder.Services.AddControllers().UseOnlyControllers(typeof(PresentedController));
            }
        }, map);

    private static async Task<(HttpStatusCode Status, string Body, string? Challenge)> SendAsync(HttpClient client, string path, string? authorization = null, string? gatewayToken = null)
    {
        using var request = TestApp.Request(HttpMethod.Get, path, authorization);
        if (gatewayToken is not null)
        {
            request.Headers.TryAddWithoutValidation(ApiKeyHeader, gatewayToken);
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.WwwAuthenticate.SingleOrDefault()?.ToString());
    }

    [Test]
    public async Task CustomReader_MinimalApiGate_TokenFromTheGatewayHeaderIsUsed()
    {
        var op = new FakeAuthenticator();
        await using var app = await StartWithReaderAsync(op, web => web.MapGet("/me", (UserInfos user) => user.Subject).RequireFlaat());

        var result = await SendAsync(app.Client, "/me", gatewayToken: "user.alice");

        Assert.That((result.Status, result.Body), Is.EqualTo((HttpStatusCode.OK, "alice")));
    }

    [Test]
    public async Task CustomReader_MvcFilter_TokenFromTheGatewayHeaderIsUsed()
    {
        var op = new FakeAuthenticator();
        await using var app = await StartWithReaderAsync(op, web => web.MapControllers(), mvc: true);

        var result = await SendAsync(app.Client, "/presented", gatewayToken: "user.bob");

        Assert.That((result.Status, result.Body), Is.EqualTo((HttpStatusCode.OK, "bob")));
    }

    [Test]
    public async Task CustomReader_AuthenticationScheme_TokenFromTheGatewayHeaderBecomesTheUser()
    {
        var op = new FakeAuthenticator();
        await using var app = await StartWithReaderAsync(op, web =>
            web.MapGet("/claims", (ClaimsPrincipal user) => user.FindFirst("sub")?.Value).RequireAuthorization());

        var result = await SendAsync(app.Client, "/claims", gatewayToken: "user.alice");

        Assert.That((result.Status, result.Body), Is.EqualTo((HttpStatusCode.OK, "alice")));
    }

    [Test]
    public async Task CustomReader_AuthenticationSchemeChallenge_MalformedGatewayTokenIsInvalidToken()
    {
        var op = new FakeAuthenticator();
        await using var app = await StartWithReaderAsync(op, web => web.MapGet("/claims", () => "ok").RequireAuthorization());

        var result = await SendAsync(app.Client, "/claims", gatewayToken: "not a b64token");

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(result.Challenge, Does.StartWith("Bearer error=\"invalid_token\""));
            Assert.That(op.Calls, Is.Zero, "a malformed token never reaches the engine");
        });
    }

    [Test]
    public async Task CustomReader_AuthorizationHeaderToo_TwoTokensRefusedAnotherSchemeIsNoToken()
    {
        var op = new FakeAuthenticator();
        await using var app = await StartWithReaderAsync(op, web => web.MapGet("/me", (UserInfos user) => user.Subject).RequireFlaat());

        var both = await SendAsync(app.Client, "/me", authorization: "Bearer user.alice", gatewayToken: "user.bob");
        var callsAfterBoth = op.Calls;
        var basic = await SendAsync(app.Client, "/me", authorization: "Basic YWxpY2U6c2VjcmV0", gatewayToken: "user.bob");
        var basicOnly = await SendAsync(app.Client, "/me", authorization: "Basic YWxpY2U6c2VjcmV0");

        Assert.Multiple(() =>
        {
            Assert.That(both.Status, Is.EqualTo(HttpStatusCode.Unauthorized), "a token in two places is refused (RFC 6750 section 2), whichever reader comes first");
            Assert.That(both.Body, Does.Contain("more than one way"));
            Assert.That(both.Challenge, Does.StartWith("Bearer error=\"invalid_request\""));
            Assert.That(callsAfterBoth, Is.Zero, "refused before the engine");
            Assert.That(basic.Body, Is.EqualTo("bob"), "another scheme's credentials are not bearer credentials: the next reader is asked");
            Assert.That(basicOnly.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(basicOnly.Body, Does.Contain("No bearer token in authorization header"));
            Assert.That(basicOnly.Challenge, Is.EqualTo("Bearer"));
        });
    }

    [Test]
    public async Task Binder_SecondRequestIsACacheHit_BinderRunsAndItsRefusalIsTheResponse()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = time });
        var binder = new CountingBinder();
        await using var app = await StartWithEngineAsync(op, time, services => services.AddSingleton<IFlaatTokenBinder>(binder),
            web => web.MapGet("/me", (UserInfos user) => user.Subject).RequireFlaat());
        var token = op.CreateJwt(new FakeUser("alice"));

        var first = await SendAsync(app.GetTestClient(), "/me", "Bearer " + token);
        var userinfoCalls = op.RequestCount(FakeOpenIdEndpoint.UserInfo) + op.RequestCount(FakeOpenIdEndpoint.Jwks);
        binder.Refuse = true;
        var second = await SendAsync(app.GetTestClient(), "/me", "Bearer " + token);

        using var body = JsonDocument.Parse(second.Body);
        Assert.Multiple(() =>
        {
            Assert.That((first.Status, first.Body), Is.EqualTo((HttpStatusCode.OK, "alice")));
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo) + op.RequestCount(FakeOpenIdEndpoint.Jwks), Is.EqualTo(userinfoCalls), "the second request was served from the cache");
            Assert.That(binder.Calls, Is.EqualTo(2));
            Assert.That(binder.Requests, Is.All.InstanceOf<HttpContext>());
            Assert.That(second.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(body.RootElement.GetProperty("error").GetString(), Is.EqualTo("Unauthenticated"));
            Assert.That(body.RootElement.GetProperty("error_description").GetString(), Is.EqualTo("The DPoP proof does not match the token"));
            Assert.That(second.Challenge, Is.EqualTo("DPoP error=\"invalid_token\", error_description=\"The DPoP proof does not match the token\""));
        });
    }

    [Test]
    public async Task Ticket_JwtUser_IssuedAndExpiresFromTheTokensIatAndExp()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = time });
        await using var app = await StartWithEngineAsync(op, time, services =>
        {
            services.AddAuthentication(FlaatAuthenticationDefaults.AuthenticationScheme).AddFlaat();
            services.AddAuthorization();
        }, web => web.MapGet("/ticket", async (HttpContext context) =>
        {
            var result = await context.AuthenticateAsync(FlaatAuthenticationDefaults.AuthenticationScheme);
            return $"{result.Properties?.IssuedUtc:O}|{result.Properties?.ExpiresUtc:O}";
        }).RequireAuthorization());
        var token = op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions
        {
            IssuedAt = time.GetUtcNow().AddMinutes(-5),
            ExpiresAt = time.GetUtcNow().AddMinutes(55),
        });

        var result = await SendAsync(app.GetTestClient(), "/ticket", "Bearer " + token);

        Assert.That(result.Body, Is.EqualTo("2026-03-01T11:55:00.0000000+00:00|2026-03-01T12:55:00.0000000+00:00"));
    }

    [Test]
    public void TicketProperties_IntrospectedOpaqueToken_TimesFromIntrospection()
    {
        using var userinfo = JsonDocument.Parse("""{"sub":"alice"}""");
        using var introspection = JsonDocument.Parse("""{"active":true,"iat":1772366100,"exp":"1772369700"}""");
        var user = new UserInfos(null, userinfo.RootElement, introspection.RootElement);

        var properties = FlaatAuthenticationHandler.TicketProperties(user);

        Assert.Multiple(() =>
        {
            Assert.That(properties.IssuedUtc, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1772366100)));
            Assert.That(properties.ExpiresUtc, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1772369700)));
        });
    }

    [TestCase("""{"sub":"alice"}""")]
    [TestCase("""{"sub":"alice","iat":"soon","exp":null}""")]
    [TestCase("""{"sub":"alice","iat":-5}""")]
    [TestCase("""{"sub":"alice","iat":1e300}""")]
    public void TicketProperties_NoUsableTimes_LeftUnset(string claims)
    {
        using var introspection = JsonDocument.Parse(claims);
        var user = new UserInfos(null, JsonDocument.Parse("{}").RootElement, introspection.RootElement);

        var properties = FlaatAuthenticationHandler.TicketProperties(user);

        Assert.Multiple(() =>
        {
            Assert.That(properties.IssuedUtc, Is.Null);
            Assert.That(properties.ExpiresUtc, Is.Null);
            Assert.That(FlaatAuthenticationHandler.TicketProperties(null).ExpiresUtc, Is.Null);
        });
    }

    private static async Task<WebApplication> StartWithEngineAsync(FakeOpenIdProvider op, TimeProvider time, Action<IServiceCollection> configure, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var options = new FlaatOptions { ClockSkew = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(10) };
        options.TrustedIssuers.Add(op.Issuer);
        builder.Services.AddSingleton<IFlaatAuthenticator>(_ => new FlaatAuthenticator(options, timeProvider: time));
        builder.Services.AddFlaat(o => o.TrustedIssuers.Add(op.Issuer));
        configure(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }

    private sealed class CountingBinder : IFlaatTokenBinder
    {
        private readonly List<object?> _requests = [];

        public int Calls => _requests.Count;

        public IReadOnlyList<object?> Requests => _requests;

        public bool Refuse { get; set; }

        public ValueTask<FlaatError?> BindAsync(TokenBindingContext context, CancellationToken cancellationToken)
        {
            lock (_requests)
            {
                _requests.Add(context.Request);
            }

            return ValueTask.FromResult(Refuse
                ? new FlaatError(401, "Unauthenticated", "The DPoP proof does not match the token") { ChallengeScheme = "DPoP", ChallengeError = "invalid_token" }
                : null);
        }
    }

    [Route("/presented")]
    [FlaatAuthenticated]
    public sealed class PresentedController : ControllerBase
    {
        [HttpGet]
        public string Get(UserInfos user) => user.Subject;
    }
}
