using System.Net;
using Flaat.AspNetCore;
using Flaat.Tests.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.MinimalApi;

public sealed class RequireFlaatConventionTests
{
    private FakeAuthenticator _op = null!;

    [SetUp]
    public void CreateOp() => _op = new FakeAuthenticator();

    private Task<TestApp> StartAsync(Action<WebApplication> map, Action<FlaatBuilder>? flaat = null) =>
        TestApp.StartAsync(_op, builder =>
        {
            var added = builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer))
                .AddAccessLevel("admin", new ClaimContains("groups", "admins"))
                .AddAccessLevel("user", new ClaimContains("groups", "users"));
            flaat?.Invoke(added);
        }, map);

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(TestApp app, string path, string? authorization = null)
    {
        using var response = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, path, authorization));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task MapGroup_RequireFlaatAccessLevel_AppliesToEveryEndpointOfTheGroup()
    {
        await using var app = await StartAsync(web =>
        {
            var admin = web.MapGroup("/admin").RequireFlaatAccessLevel("admin");
            admin.MapGet("/a", () => "a");
            admin.MapGet("/b", (UserInfos user) => user.Subject);
        });

        Assert.Multiple(async () =>
        {
            Assert.That((await GetAsync(app, "/admin/a", "Bearer user.alice")).Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await GetAsync(app, "/admin/b", "Bearer user.alice"), Is.EqualTo((HttpStatusCode.OK, "alice")));
            Assert.That((await GetAsync(app, "/admin/a", "Bearer user.bob")).Status, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That((await GetAsync(app, "/admin/b")).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task MapGroup_GroupAndEndpointConventions_AllRequirementsAreRequired()
    {
        await using var app = await StartAsync(web =>
        {
            var users = web.MapGroup("/users").RequireFlaatAccessLevel("user");
            users.MapGet("/admin", () => "admin").RequireFlaat(new ClaimContains("groups", "admins"));
        });

        Assert.Multiple(async () =>
        {
            Assert.That((await GetAsync(app, "/users/admin", "Bearer user.alice")).Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await GetAsync(app, "/users/admin", "Bearer user.bob")).Status, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public async Task MapGroup_OptionalGroupWithAuthenticatedEndpoint_TheEndpointsConventionWins()
    {
        await using var app = await StartAsync(web =>
        {
            var open = web.MapGroup("/open").OptionalFlaat();
            open.MapGet("/any", (UserInfos? user) => user?.Subject ?? "anonymous");
            open.MapGet("/closed", (UserInfos user) => user.Subject).RequireFlaat();
        });

        Assert.Multiple(async () =>
        {
            Assert.That(await GetAsync(app, "/open/any"), Is.EqualTo((HttpStatusCode.OK, "anonymous")));
            Assert.That((await GetAsync(app, "/open/closed")).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task MapGroup_AllowAnonymousEndpoint_IsNotJudged()
    {
        await using var app = await StartAsync(web =>
        {
            var group = web.MapGroup("/g").RequireFlaat();
            group.MapGet("/public", () => "public").AllowAnonymous();
        });

        var result = await GetAsync(app, "/g/public", "Bearer garbage");

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo((HttpStatusCode.OK, "public")));
            Assert.That(_op.Calls, Is.Zero);
        });
    }

    [Test]
    public async Task RequireFlaat_CalledOnGroupAndEndpoint_TokenIsJudgedOncePerRequest()
    {
        await using var app = await StartAsync(web => web.MapGroup("/g").RequireFlaat().MapGet("/x", () => "x").RequireFlaat().RequireFlaatAccessLevel("admin"));

        await GetAsync(app, "/g/x", "Bearer user.alice");

        Assert.That(_op.Calls, Is.EqualTo(1));
    }

    [Test]
    public async Task EndpointWithoutFlaat_BearerHeader_EngineIsNeverAsked()
    {
        await using var app = await StartAsync(web => web.MapGet("/free", () => "free"));

        var result = await GetAsync(app, "/free", "Bearer user.alice");

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo((HttpStatusCode.OK, "free")));
            Assert.That(_op.Calls, Is.Zero);
        });
    }

    [Test]
    public async Task RequireFlaat_PostWithMalformedBodyAndNoToken_Is401BeforeBinding()
    {
        await using var app = await StartAsync(web => web.MapPost("/items", (Item item) => item.Name).RequireFlaat());
        using var request = TestApp.Request(HttpMethod.Post, "/items");
        request.Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json");

        using var response = await app.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task RequireFlaat_PostWithTokenAndBody_BindsBodyAndUser()
    {
        await using var app = await StartAsync(web => web.MapPost("/items", (Item item, UserInfos user) => $"{user.Subject}:{item.Name}").RequireFlaat());
        using var request = TestApp.Request(HttpMethod.Post, "/items", "Bearer user.alice");
        request.Content = new StringContent("""{"name":"pen"}""", System.Text.Encoding.UTF8, "application/json");

        using var response = await app.Client.SendAsync(request);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("alice:pen"));
    }

    [Test]
    public async Task RequireFlaat_FullWorkflow_RequirementsRequestRequirementAndHookTogether()
    {
        await using var app = await StartAsync(web => web.MapGet("/docs/{name}", (string name, UserInfos user) => $"{user.Subject} reads {name}")
            .RequireFlaat(policy => policy
                .RequireAccessLevel("user")
                .RequireHttpRequest((user, http) => new Flaat.Requirements.CheckResult(
                    http.Request.Query["purpose"] == "audit", "A purpose of audit is required"))
                .OnFailure(failure => Results.Text($"denied {failure.UserInfos?.Subject}: {failure.Error.Description}", statusCode: 403))));

        Assert.Multiple(async () =>
        {
            Assert.That(await GetAsync(app, "/docs/x?purpose=audit", "Bearer user.bob"), Is.EqualTo((HttpStatusCode.OK, "bob reads x")));
            Assert.That(await GetAsync(app, "/docs/x", "Bearer user.bob"),
                Is.EqualTo((HttpStatusCode.Forbidden, "denied bob: Request from user bob@https://op.test does not meet requirements")));
        });
    }

    [Test]
    public async Task OnFlaatFailure_OnGroup_AppliesToTheGroupsEndpoints()
    {
        await using var app = await StartAsync(web =>
        {
            var group = web.MapGroup("/g").RequireFlaat().OnFlaatFailure(ContractEndpoints.ReplacingHook);
            group.MapGet("/x", () => "x");
        });

        Assert.That(await GetAsync(app, "/g/x"), Is.EqualTo((HttpStatusCode.Unauthorized, "hook: 401 -")));
    }

    [Test]
    public async Task GlobalOnFailure_EndpointWithoutHook_IsUsed()
    {
        await using var app = await StartAsync(
            web => web.MapGet("/x", () => "x").RequireFlaat(),
            flaat => flaat.ConfigureEndpoints(options => options.OnFailure = ContractEndpoints.ReplacingHook));

        Assert.That(await GetAsync(app, "/x"), Is.EqualTo((HttpStatusCode.Unauthorized, "hook: 401 -")));
    }

    [Test]
    public void Start_UnknownAccessLevel_FailsNamingTheLevelAndTheEndpoint()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await StartAsync(web => web.MapGet("/x", () => "x").RequireFlaatAccessLevel("superuser")));

        Assert.That(exception!.Message, Does.Contain("'superuser'").And.Contain("HTTP: GET /x").And.Contain("Flaat:AccessLevels:superuser"));
    }

    [Test]
    public void Start_OptionalEndpointWithNonNullableUserInfos_FailsNamingTheParameter()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await StartAsync(web => web.MapGet("/x", (UserInfos user) => user.Subject).OptionalFlaat()));

        Assert.That(exception!.Message, Does.Contain("'user'").And.Contain("UserInfos?"));
    }

    [Test]
    public async Task Endpoints_RequireFlaatWithoutAddFlaat_FailToBuildSayingSo()
    {
        await using var app = await TestApp.StartAsync(_op, _ => { }, web => web.MapGet("/x", () => "x").RequireFlaat());

        // Never served unprotected: building the endpoint (at start-up or first request) fails.
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () => await app.Client.GetAsync("/x"));

        Assert.That(exception!.Message, Does.Contain("AddFlaat"));
    }

    [Test]
    public async Task GetUserInfos_AfterTheGate_IsTheUser()
    {
        await using var app = await StartAsync(web => web.MapGet("/x", (HttpContext context) => context.GetUserInfos()?.Subject).RequireFlaat());

        Assert.That((await GetAsync(app, "/x", "Bearer user.bob")).Body, Is.EqualTo("bob"));
    }

    public sealed record Item(string Name);
}
