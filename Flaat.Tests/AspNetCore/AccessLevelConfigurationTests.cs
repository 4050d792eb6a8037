using System.Net;
using Flaat.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flaat.Tests.AspNetCore;

public sealed class AccessLevelConfigurationTests
{
    private static Task<TestApp> StartAsync(FakeAuthenticator op, Dictionary<string, string?> settings, Action<FlaatBuilder>? flaat = null, Action<WebApplication>? map = null) =>
        TestApp.StartAsync(op, builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings) { ["Flaat:TrustedIssuers:0"] = FakeAuthenticator.Issuer });
            var added = builder.Services.AddFlaat();
            flaat?.Invoke(added);
            builder.Services.AddControllers().UseOnlyControllers(typeof(BadMatchController));
        }, map ?? (app => app.MapGet("/admin", () => "admin").RequireFlaatAccessLevel("admin")));

    private static async Task<HttpStatusCode> GetAsync(TestApp app, string path, string authorization)
    {
        using var response = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, path, authorization));
        return response.StatusCode;
    }

    [Test]
    public async Task ConfiguredLevel_ClaimKind_DecidesAccess()
    {
        await using var app = await StartAsync(new FakeAuthenticator(), new()
        {
            ["Flaat:AccessLevels:admin:Kind"] = "claim",
            ["Flaat:AccessLevels:admin:Claim"] = "email",
            ["Flaat:AccessLevels:admin:Values:0"] = "bob@example.org",
        });

        Assert.Multiple(async () =>
        {
            Assert.That(await GetAsync(app, "/admin", "Bearer user.bob"), Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await GetAsync(app, "/admin", "Bearer user.alice"), Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public async Task ConfiguredLevel_SameNameAsCodeLevel_ConfigurationWins()
    {
        await using var app = await StartAsync(
            new FakeAuthenticator(),
            new()
            {
                ["Flaat:AccessLevels:Admin:Kind"] = "claim",
                ["Flaat:AccessLevels:Admin:Claim"] = "groups",
                ["Flaat:AccessLevels:Admin:Values:0"] = "users",
            },
            flaat => flaat.AddAccessLevel("admin", new ClaimContains("groups", "admins")));

        Assert.That(await GetAsync(app, "/admin", "Bearer user.bob"), Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task DefaultLevels_AreDefined()
    {
        await using var app = await StartAsync(new FakeAuthenticator(), new(), map: web =>
        {
            web.MapGet("/identified", () => "x").RequireFlaatAccessLevel("IDENTIFIED");
            web.MapGet("/noone", () => "x").RequireFlaatAccessLevel("NOONE");
        });

        Assert.Multiple(async () =>
        {
            Assert.That(await GetAsync(app, "/identified", "Bearer user.bob"), Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await GetAsync(app, "/noone", "Bearer user.alice"), Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public void ConfiguredLevels_Invalid_StartFailsListingEverySetting()
    {
        var exception = Assert.ThrowsAsync<OptionsValidationException>(async () => await StartAsync(new FakeAuthenticator(), new()
        {
            ["Flaat:AccessLevels:admin:Kind"] = "colour",
            ["Flaat:AccessLevels:ops:Kind"] = "claim",
            ["Flaat:AccessLevels:ops:Values:0"] = "x",
        }));

        Assert.That(exception!.Failures, Has.Some.Contains("Flaat:AccessLevels:admin:Kind").And.Some.Contains("Flaat:AccessLevels:ops:Claim"));
    }

    [Test]
    public void Attribute_InvalidMatch_StartFailsNamingTheEndpoint()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await StartAsync(new FakeAuthenticator(), new(), map: web => web.MapControllers()));

        Assert.That(exception!.Message, Does.Contain(nameof(BadMatchController)).And.Contain("several"));
    }

    public sealed class BadMatchController : ControllerBase
    {
        [HttpGet("/bad")]
        [FlaatClaim("groups", "a", "b", MustMatch = "several")]
        public string Bad() => "bad";
    }
}
