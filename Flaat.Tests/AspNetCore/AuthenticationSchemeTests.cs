using System.Net;
using System.Security.Claims;
using Flaat.AspNetCore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.AspNetCore;

public sealed class AuthenticationSchemeTests
{
    private FakeAuthenticator _op = null!;

    [SetUp]
    public void CreateOp() => _op = new FakeAuthenticator();

    private Task<TestApp> StartAsync(Action<WebApplication> map, Action<AuthorizationOptions>? authorization = null) =>
        TestApp.StartAsync(_op, builder =>
        {
            builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer));
            builder.Services.AddAuthentication(FlaatAuthenticationDefaults.AuthenticationScheme).AddFlaat();
            builder.Services.AddAuthorization(authorization ?? (_ => { }));
        }, map);

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(TestApp app, string path, string? authorization = null)
    {
        using var response = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, path, authorization));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task User_GoodToken_ClaimsKeepTheOpsNamesAndTypes()
    {
        await using var app = await StartAsync(web => web.MapGet("/claims", (ClaimsPrincipal user) =>
            string.Join(";", user.Claims.Select(c => $"{c.Type}={c.Value}|{c.ValueType}|{c.Issuer}"))).RequireAuthorization());

        var (_, body) = await GetAsync(app, "/claims", "Bearer user.alice");

        var claims = body.Split(';');
        Assert.That(claims, Is.SupersetOf(new[]
        {
            $"sub=alice|{ClaimValueTypes.String}|https://op.test",
            $"groups=admins|{ClaimValueTypes.String}|https://op.test",
            $"groups=users|{ClaimValueTypes.String}|https://op.test",
            $"email=alice@example.org|{ClaimValueTypes.String}|https://op.test",
            $"score=7|{ClaimValueTypes.Integer64}|https://op.test",
            $"verified=true|{ClaimValueTypes.Boolean}|https://op.test",
            """address={"country":"NL"}|JSON|https://op.test""",
        }));
    }

    [TestCase(null)]
    [TestCase("Bearer user.mallory-unknown")]
    public async Task Challenge_PolicyWithFlaatAndAnotherScheme_401NotAServerError(string? authorization)
    {
        // A policy that names two schemes challenges both: Flaat's answer must leave the response
        // open for the other scheme's challenge (status and headers), not start it.
        await using var app = await TestApp.StartAsync(_op, builder =>
        {
            builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer));
            builder.Services.AddAuthentication(FlaatAuthenticationDefaults.AuthenticationScheme).AddFlaat()
                .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, OtherScheme>(OtherScheme.Name, _ => { });
            builder.Services.AddAuthorization(options => options.AddPolicy("both", policy => policy
                .AddAuthenticationSchemes(FlaatAuthenticationDefaults.AuthenticationScheme, OtherScheme.Name)
                .RequireAuthenticatedUser()));
        }, web => web.MapGet("/both", () => "ok").RequireAuthorization("both"));

        using var response = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/both", authorization));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate.Select(h => h.Scheme), Is.SupersetOf(new[] { "Bearer", OtherScheme.Name }));
    }

    /// <summary>Another scheme that never authenticates and challenges with its own header, as JwtBearer or a cookie scheme would.</summary>
    private sealed class OtherScheme(
        Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions> options,
        Microsoft.Extensions.Logging.ILoggerFactory logger,
        System.Text.Encodings.Web.UrlEncoder encoder)
        : Microsoft.AspNetCore.Authentication.AuthenticationHandler<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "Other";

        protected override Task<Microsoft.AspNetCore.Authentication.AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Microsoft.AspNetCore.Authentication.AuthenticateResult.NoResult());

        protected override Task HandleChallengeAsync(Microsoft.AspNetCore.Authentication.AuthenticationProperties properties)
        {
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            Response.Headers.Append("WWW-Authenticate", Name);
            return Task.CompletedTask;
        }
    }

    [Test]
    public async Task User_GoodToken_NameIsSubjectAndGroupsAreRoles()
    {
        await using var app = await StartAsync(web => web.MapGet("/me", (ClaimsPrincipal user) =>
            $"{user.Identity!.Name} {user.Identity.AuthenticationType} {user.IsInRole("admins")}").RequireAuthorization());

        Assert.That((await GetAsync(app, "/me", "Bearer user.alice")).Body, Is.EqualTo("alice Flaat True"));
    }

    [Test]
    public async Task AuthorizeRoles_GroupMembership_DecidesWith403Body()
    {
        await using var app = await StartAsync(web => web.MapGet("/admins", () => "ok").RequireAuthorization(new AuthorizeAttribute { Roles = "admins" }));

        var alice = await GetAsync(app, "/admins", "Bearer user.alice");
        using var bob = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/admins", "Bearer user.bob"));

        Assert.Multiple(async () =>
        {
            Assert.That(alice, Is.EqualTo((HttpStatusCode.OK, "ok")));
            Assert.That(bob.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await bob.Content.ReadAsStringAsync(), Is.EqualTo("""{"error":"Forbidden","error_description":"User bob@https://op.test does not meet requirements"}"""));
            Assert.That(bob.Headers.WwwAuthenticate.ToString(), Does.StartWith("Bearer error=\"insufficient_scope\""));
        });
    }

    [Test]
    public async Task EndpointWithoutAuthorization_BearerHeader_EngineIsNeverAsked()
    {
        await using var app = await StartAsync(web => web.MapGet("/free", (HttpContext context) => context.User.Identity?.IsAuthenticated == true ? "user" : "anonymous"));

        var result = await GetAsync(app, "/free", "Bearer user.alice");

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo((HttpStatusCode.OK, "anonymous")));
            Assert.That(_op.Calls, Is.Zero);
        });
    }

    [Test]
    public async Task FallbackPolicy_EndpointWithoutMetadata_IsAuthenticated()
    {
        await using var app = await StartAsync(
            web => web.MapGet("/fallback", (ClaimsPrincipal user) => user.Identity!.Name),
            authorization => authorization.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        Assert.Multiple(async () =>
        {
            Assert.That(await GetAsync(app, "/fallback", "Bearer user.bob"), Is.EqualTo((HttpStatusCode.OK, "bob")));
            Assert.That((await GetAsync(app, "/fallback")).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task AllowAnonymous_BadToken_RunsAnonymously()
    {
        await using var app = await StartAsync(web => web.MapGet("/anon", (HttpContext context) => context.GetUserInfos()?.Subject ?? "anonymous").AllowAnonymous());

        Assert.Multiple(async () =>
        {
            Assert.That(await GetAsync(app, "/anon", "Bearer garbage"), Is.EqualTo((HttpStatusCode.OK, "anonymous")));
            Assert.That(await GetAsync(app, "/anon", "Bearer user.bob"), Is.EqualTo((HttpStatusCode.OK, "bob")));
        });
    }

    [Test]
    public async Task RequireFlaatPolicy_MissingRequirement_Is403WithErrorDetails()
    {
        await using var app = await StartAsync(web => web.MapGet("/x", () => "x")
            .RequireAuthorization(policy => policy.RequireAuthenticatedUser().RequireFlaat(new ClaimContains("groups", "admins"))));

        var (status, body) = await GetAsync(app, "/x", "Bearer user.bob");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(body, Is.EqualTo("""{"error":"Forbidden","error_description":"User bob@https://op.test does not meet requirements","error_details":"Claim \u0027groups\u0027 does not contain \u0027admins\u0027"}"""));
        });
    }

    [Test]
    public void Start_PolicyNamingUnknownAccessLevel_FailsNamingLevelAndEndpoint()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await StartAsync(web => web.MapGet("/x", () => "x").RequireAuthorization(policy => policy.RequireFlaatAccessLevel("superuser"))));

        Assert.That(exception!.Message, Does.Contain("'superuser'").And.Contain("HTTP: GET /x"));
    }

    [Test]
    public void Start_NamedPolicyNamingUnknownAccessLevel_FailsNamingIt()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () => await StartAsync(
            web => web.MapGet("/x", () => "x").RequireAuthorization("ops"),
            authorization => authorization.AddPolicy("ops", policy => policy.RequireFlaatAccessLevel("operators"))));

        Assert.That(exception!.Message, Does.Contain("'operators'"));
    }
}
