using System.Net;
using Flaat.AspNetCore;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.AspNetCore;

public sealed class MvcFilterTests
{
    private static Task<TestApp> StartAsync(FakeAuthenticator op, Action<FlaatEndpointOptions>? endpoints = null, Action<WebApplication>? map = null, Action<FlaatBuilder>? flaat = null) =>
        TestApp.StartAsync(op, builder =>
        {
            var registration = builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer)).ConfigureEndpoints(endpoints ?? (_ => { }));
            flaat?.Invoke(registration);
            builder.Services.AddControllers().UseOnlyControllers(typeof(PlainController), typeof(ApiStyleController));
        }, map ?? (app => app.MapControllers()));

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(TestApp app, string path, string? authorization = null)
    {
        using var response = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, path, authorization));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task ActionWithoutFlaatAttributes_ByDefault_IsLeftAlone()
    {
        var op = new FakeAuthenticator();
        await using var app = await StartAsync(op);

        var result = await GetAsync(app, "/plain/open", "Bearer user.alice");

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo((HttpStatusCode.OK, "open")));
            Assert.That(op.Calls, Is.Zero);
        });
    }

    [Test]
    public async Task ActionWithoutFlaatAttributes_RequireAuthenticationByDefault_Is401WithoutToken()
    {
        await using var app = await StartAsync(new FakeAuthenticator(), options => options.RequireAuthenticationByDefault = true);

        Assert.Multiple(async () =>
        {
            Assert.That((await GetAsync(app, "/plain/open")).Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await GetAsync(app, "/plain/open", "Bearer user.bob"), Is.EqualTo((HttpStatusCode.OK, "open")));
        });
    }

    [Test]
    public async Task AllowAnonymousAction_RequireAuthenticationByDefault_IsLeftAlone()
    {
        await using var app = await StartAsync(new FakeAuthenticator(), options => options.RequireAuthenticationByDefault = true);

        Assert.That(await GetAsync(app, "/plain/public"), Is.EqualTo((HttpStatusCode.OK, "public")));
    }

    [Test]
    public async Task ApiController_UserInfosParameter_IsBoundNotReadFromTheBody()
    {
        await using var app = await StartAsync(new FakeAuthenticator());
        using var request = TestApp.Request(HttpMethod.Post, "/api/echo", "Bearer user.alice");
        request.Content = new StringContent("""{"text":"hi"}""", System.Text.Encoding.UTF8, "application/json");

        using var response = await app.Client.SendAsync(request);

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("alice: hi"));
    }

    [Test]
    public async Task MapControllersRequireFlaat_ConventionAndAttributes_AreCombinedAndJudgedOnce()
    {
        var op = new FakeAuthenticator();
        await using var app = await StartAsync(op, map: web => web.MapControllers().RequireFlaatAccessLevel("admin"),
            flaat: registration => registration.AddAccessLevel("admin", new ClaimContains("groups", "admins")));

        var bob = await GetAsync(app, "/plain/open", "Bearer user.bob");
        var callsBefore = op.Calls;
        var alice = await GetAsync(app, "/plain/open", "Bearer user.alice");

        Assert.Multiple(() =>
        {
            Assert.That(bob.Status, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(alice, Is.EqualTo((HttpStatusCode.OK, "open")));
            Assert.That(op.Calls - callsBefore, Is.EqualTo(1));
        });
    }

    [Route("/plain")]
    public sealed class PlainController : ControllerBase
    {
        [HttpGet("open")]
        public string Open() => "open";

        [HttpGet("public")]
        [AllowAnonymous]
        public string Public() => "public";
    }

    [ApiController]
    [Route("/api")]
    [FlaatAuthenticated]
    public sealed class ApiStyleController : ControllerBase
    {
        [HttpPost("echo")]
        public string Echo(Message message, UserInfos user) => $"{user.Subject}: {message.Text}";
    }

    public sealed record Message(string Text);
}
