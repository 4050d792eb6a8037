using System.Net;
using Flaat.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// MVC's Flaat attributes fail closed whatever the registration: without <c>AddFlaat</c> the
/// application does not start; with it they are judged once, with or without the global filter,
/// whatever the order of the registrations.
/// </summary>
public sealed class MvcRegistrationTests
{
    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string path, string? authorization = null)
    {
        using var response = await client.SendAsync(TestApp.Request(HttpMethod.Get, path, authorization));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task FlaatAttributes_FlaatNotRegistered_StartUpFailsNamingTheActions()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddControllers().UseOnlyControllers(typeof(GuardedController), typeof(OpenController));
        await using var app = builder.Build();

        // MVC builds its application model, and so applies the attributes' conventions, when the
        // controllers are mapped: the application stops before it serves a request.
        var exception = Assert.Throws<InvalidOperationException>(() => app.MapControllers());

        Assert.That(exception.Message, Does.Contain("Flaat is not registered")
            .And.Contain("call services.AddFlaat(...)")
            .And.Contain($"{typeof(GuardedController).FullName}.{nameof(GuardedController.Secret)} ({typeof(GuardedController).Assembly.GetName().Name}) [FlaatAuthenticated]")
            .And.Contain($"{typeof(GuardedController).FullName}.{nameof(GuardedController.Vo)} ({typeof(GuardedController).Assembly.GetName().Name}) [FlaatAuthenticated], [FlaatVo]")
            .And.Not.Contain(nameof(OpenController)));
    }

    [Test]
    public async Task ControllersWithoutFlaatAttributes_FlaatNotRegistered_AreServed()
    {
        await using var app = await StartWithoutFlaatAsync(typeof(OpenController));

        Assert.That(await GetAsync(app.Client, "/open"), Is.EqualTo((HttpStatusCode.OK, "open")));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task FlaatAttributes_ControllersRegisteredBeforeOrAfterAddFlaat_AreJudgedOnce(bool controllersFirst)
    {
        var op = new FakeAuthenticator();
        await using var app = await TestApp.StartAsync(op, builder =>
        {
            if (controllersFirst)
            {
                builder.Services.AddControllers().UseOnlyControllers(typeof(GuardedController));
            }

            builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer));
            if (!controllersFirst)
            {
                builder.Services.AddControllers().UseOnlyControllers(typeof(GuardedController));
            }
        }, web => web.MapControllers());

        var anonymous = await GetAsync(app.Client, "/guarded/secret");
        var bob = await GetAsync(app.Client, "/guarded/vo", "Bearer user.bob");
        var callsBefore = op.Calls;
        var alice = await GetAsync(app.Client, "/guarded/vo", "Bearer user.alice");

        Assert.Multiple(() =>
        {
            Assert.That(anonymous.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(bob.Status, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(alice, Is.EqualTo((HttpStatusCode.OK, "vo alice")));
            Assert.That(op.Calls - callsBefore, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task FlaatAttributes_GlobalFilterOff_AreStillJudgedOnce()
    {
        var op = new FakeAuthenticator();
        await using var app = await TestApp.StartAsync(op, builder =>
        {
            builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer))
                .ConfigureEndpoints(options => options.AddMvcFilter = false);
            builder.Services.AddControllers().UseOnlyControllers(typeof(GuardedController), typeof(OpenController));
        }, web => web.MapControllers());

        var anonymous = await GetAsync(app.Client, "/guarded/secret");
        var bob = await GetAsync(app.Client, "/guarded/vo", "Bearer user.bob");
        var callsBefore = op.Calls;
        var alice = await GetAsync(app.Client, "/guarded/vo", "Bearer user.alice");
        var callsForAlice = op.Calls - callsBefore;
        var open = await GetAsync(app.Client, "/open", "Bearer user.alice");

        Assert.Multiple(() =>
        {
            Assert.That(anonymous.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(bob.Status, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(alice, Is.EqualTo((HttpStatusCode.OK, "vo alice")));
            Assert.That(callsForAlice, Is.EqualTo(1));
            Assert.That(open, Is.EqualTo((HttpStatusCode.OK, "open")));
            Assert.That(op.Calls - callsBefore, Is.EqualTo(1), "an action without Flaat attributes costs no evaluation");
        });
    }

    [Test]
    public async Task FlaatAttributes_GlobalFilterOffAndRequireFlaatOnControllers_AreJudgedOnce()
    {
        var op = new FakeAuthenticator();
        await using var app = await TestApp.StartAsync(op, builder =>
        {
            builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer))
                .ConfigureEndpoints(options => options.AddMvcFilter = false);
            builder.Services.AddControllers().UseOnlyControllers(typeof(GuardedController));
        }, web => web.MapControllers().RequireFlaat());

        var bob = await GetAsync(app.Client, "/guarded/vo", "Bearer user.bob");
        var callsBefore = op.Calls;
        var alice = await GetAsync(app.Client, "/guarded/vo", "Bearer user.alice");

        Assert.Multiple(() =>
        {
            Assert.That(bob.Status, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(alice, Is.EqualTo((HttpStatusCode.OK, "vo alice")));
            Assert.That(op.Calls - callsBefore, Is.EqualTo(1));
        });
    }

    private static Task<TestApp> StartWithoutFlaatAsync(params Type[] controllers) =>
        TestApp.StartAsync(new FakeAuthenticator(), builder => builder.Services.AddControllers().UseOnlyControllers(controllers), web => web.MapControllers());

    [Route("/guarded")]
    [FlaatAuthenticated]
    public sealed class GuardedController : ControllerBase
    {
        private static int _runs;

        public static int Runs => Volatile.Read(ref _runs);

        [HttpGet("secret")]
        public string Secret()
        {
            Interlocked.Increment(ref _runs);
            return "secret";
        }

        [HttpGet("vo")]
        [FlaatVo("urn:geant:example.org:group:vo1#op.test")]
        public string Vo()
        {
            Interlocked.Increment(ref _runs);
            return "vo " + HttpContext.GetUserInfos()?.Subject;
        }
    }

    public sealed class OpenController : ControllerBase
    {
        [HttpGet("/open")]
        public string Open() => "open";
    }
}
