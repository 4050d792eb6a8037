using System.Net;
using System.Security.Claims;
using Flaat.AspNetCore;
using Flaat.Requirements;
using Flaat.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.AspNetCore;

/// <summary>The snippets of Flaat.AspNetCore/README.md, verbatim apart from the test host, run against a fake OP.</summary>
public sealed class SnippetTests
{
    private FakeOpenIdProvider _op = null!;
    private string _admin = null!;
    private string _user = null!;

    [OneTimeSetUp]
    public void StartOp()
    {
        _op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { SigningAlgorithms = [FakeSigningKey.ES256] });
        var es256 = new FakeTokenOptions { Algorithm = FakeSigningKey.ES256 };
        _admin = _op.CreateJwt(new FakeUser("ada").WithClaim("groups", new[] { "admins" }).WithClaim("eduperson_entitlement", new[] { "urn:geant:example.org:group:vo1" }), es256);
        _user = _op.CreateJwt(new FakeUser("bo").WithClaim("groups", new[] { "users" }), es256);
    }

    [OneTimeTearDown]
    public async Task StopOp() => await _op.DisposeAsync();

    private WebApplicationBuilder NewBuilder()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flaat:TrustedIssuers:0"] = _op.Issuer });
        return builder;
    }

    private static async Task<(HttpStatusCode, string)> GetAsync(HttpClient client, string path, string? token)
    {
        using var request = TestApp.Request(HttpMethod.Get, path, token is null ? null : "Bearer " + token);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task MinimalApiSnippet_Runs()
    {
        var builder = NewBuilder();

        // --- snippet ---
        builder.Services.AddFlaat()                                  // binds the "Flaat" section
            .AddAccessLevel("admin", Require.Claim("admins", "groups"));

        var app = builder.Build();
        app.MapGet("/info", (UserInfos user) => Results.Text(user.ToJson(), "application/json")).RequireFlaat();
        app.MapGet("/info_no_strict", (UserInfos? user) => user?.ToJson() ?? "No userinfo").OptionalFlaat();
        app.MapGet("/authorized_level", () => "admin only").RequireFlaatAccessLevel("admin");
        app.MapGet("/authorized_vo", () => "vo members").RequireFlaat(Require.Vo("urn:geant:example.org:group:vo1"));

        var docs = app.MapGroup("/docs").RequireFlaat(policy => policy
            .RequireAccessLevel("admin")
            .RequireHttpRequest((user, http) => new CheckResult(http.Request.Query["purpose"] == "audit", "purpose must be audit"))
            .OnFailure(failure => Results.Text($"denied: {failure.Error.Description}", statusCode: failure.Error.StatusCode)));
        docs.MapGet("/{id}", (string id, UserInfos user) => $"{user.Subject} reads {id}");
        // --- end ---

        await using var _ = app;
        await app.StartAsync();
        using var client = app.GetTestClient();

        Assert.Multiple(async () =>
        {
            Assert.That((await GetAsync(client, "/info", _user)).Item2, Does.Contain("\"sub\": \"bo\""));
            Assert.That(await GetAsync(client, "/info_no_strict", null), Is.EqualTo((HttpStatusCode.OK, "No userinfo")));
            Assert.That((await GetAsync(client, "/authorized_level", _user)).Item1, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await GetAsync(client, "/authorized_vo", _admin)).Item1, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await GetAsync(client, "/docs/7?purpose=audit", _admin), Is.EqualTo((HttpStatusCode.OK, "ada reads 7")));
            Assert.That((await GetAsync(client, "/docs/7", _admin)).Item2, Does.StartWith("denied: Request from user ada@"));
        });
    }

    [Test]
    public async Task MvcSnippet_Runs()
    {
        var builder = NewBuilder();

        // --- snippet ---
        builder.Services.AddFlaat().AddAccessLevel("admin", Require.Claim("admins", "groups"));
        builder.Services.AddControllers();
        // --- end ---
        builder.Services.AddControllers().UseOnlyControllers(typeof(InfoController));

        await using var app = builder.Build();
        app.MapControllers();
        await app.StartAsync();
        using var client = app.GetTestClient();

        Assert.Multiple(async () =>
        {
            Assert.That((await GetAsync(client, "/api/info", null)).Item1, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await GetAsync(client, "/api/maybe", null), Is.EqualTo((HttpStatusCode.OK, "anonymous")));
            Assert.That(await GetAsync(client, "/api/admin", _admin), Is.EqualTo((HttpStatusCode.OK, "ada")));
            Assert.That((await GetAsync(client, "/api/vo", _user)).Item1, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await GetAsync(client, "/api/custom", _user), Is.EqualTo((HttpStatusCode.Forbidden, "nope")));
        });
    }

    [Test]
    public async Task AuthenticationSchemeSnippet_Runs()
    {
        var builder = NewBuilder();

        // --- snippet ---
        builder.Services.AddFlaat().AddAccessLevel("admin", Require.Claim("admins", "groups"));
        builder.Services.AddAuthentication(FlaatAuthenticationDefaults.AuthenticationScheme).AddFlaat();
        builder.Services.AddAuthorization(options => options.AddPolicy("admin", policy => policy.RequireFlaatAccessLevel("admin")));

        var app = builder.Build();
        app.MapGet("/me", (ClaimsPrincipal user) => user.Identity!.Name).RequireAuthorization();
        app.MapGet("/admin", () => "ok").RequireAuthorization("admin");
        app.MapGet("/admins-role", () => "ok").RequireAuthorization(new AuthorizeAttribute { Roles = "admins" });
        // --- end ---

        await using var _ = app;
        await app.StartAsync();
        using var client = app.GetTestClient();

        Assert.Multiple(async () =>
        {
            Assert.That(await GetAsync(client, "/me", _user), Is.EqualTo((HttpStatusCode.OK, "bo")));
            Assert.That((await GetAsync(client, "/admin", _user)).Item1, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await GetAsync(client, "/admins-role", _admin)).Item1, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    // --- snippet ---
    [ApiController]
    [Route("api")]
    [FlaatAuthenticated]
    public sealed class InfoController : ControllerBase
    {
        [HttpGet("info")]
        public string Info(UserInfos user) => user.ToJson();

        [HttpGet("maybe")]
        [FlaatOptional]
        public string Maybe(UserInfos? user) => user?.Subject ?? "anonymous";

        [HttpGet("admin")]
        [FlaatAccessLevel("admin")]
        public string Admin(UserInfos user) => user.Subject;

        [HttpGet("email")]
        [FlaatClaim("email", "a@example.org", "b@example.org", MustMatch = "one")]
        public string Email() => "listed";

        [HttpGet("vo")]
        [FlaatVo("urn:geant:example.org:group:vo1")]
        public string Vo() => "member";

        [HttpGet("custom")]
        [FlaatAccessLevel("admin")]
        [FlaatOnFailure(typeof(TextOnFailure))]
        public string Custom() => "admin";
    }

    public sealed class TextOnFailure : IFlaatFailureHandler
    {
        public ValueTask<IResult?> OnFailureAsync(FlaatFailureContext context) =>
            ValueTask.FromResult<IResult?>(Results.Text("nope", statusCode: context.Error.StatusCode));
    }
    // --- end ---
}
