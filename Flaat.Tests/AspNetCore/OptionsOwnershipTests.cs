using System.Net;
using System.Text;
using Flaat.AspNetCore;
using Flaat.Evaluation;
using Flaat.Requirements;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Flaat.Tests.AspNetCore;

/// <summary>Each options type binds from the one <c>Flaat</c> section, has one validator, and keeps the configuration paths users write.</summary>
public sealed class OptionsOwnershipTests
{
    private const string AppSettings = """
        {
          "Flaat": {
            "TrustedIssuers": [ "https://a.test" ],
            "Issuers": [ { "Issuer": "https://b.test", "SupportsAudience": false } ],
            "AllowEnvironmentOverrides": true,
            "RequireAuthenticationByDefault": true,
            "AccessLevels": {
              "Admin": { "Kind": "claim", "Claim": "groups", "Values": [ "admins" ] }
            }
          }
        }
        """;

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    [Test]
    public void AddFlaat_AppSettingsJson_EachOptionsTypeBindsItsSettings()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Json(AppSettings));
        services.AddFlaat();
        using var provider = services.BuildServiceProvider();

        var engine = provider.GetRequiredService<IOptions<FlaatOptions>>().Value;
        var access = provider.GetRequiredService<IOptions<FlaatAccessOptions>>().Value;
        var hosting = provider.GetRequiredService<IOptions<FlaatEndpointOptions>>().Value;
        var evaluator = provider.GetRequiredService<IOptions<FlaatEvaluatorOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(engine.Issuers.Single().SupportsAudience, Is.False);
            Assert.That(access.AccessLevels["admin"].Values, Is.EqualTo(new[] { "admins" }));
            Assert.That(hosting.AllowEnvironmentOverrides, Is.True);
            Assert.That(hosting.RequireAuthenticationByDefault, Is.True);
            Assert.That(evaluator.HonourEnvironmentOverrides, Is.True);
        });
    }

    [Test]
    public void AddFlaat_Section_AccessLevelsBindFromIt()
    {
        var services = new ServiceCollection();
        services.AddFlaat(Json(AppSettings).GetSection("Flaat"));
        using var provider = services.BuildServiceProvider();

        var access = provider.GetRequiredService<IOptions<FlaatAccessOptions>>().Value;

        Assert.That(access.AccessLevels.Keys, Is.EqualTo(new[] { "Admin" }));
    }

    [Test]
    public void HonourEnvironmentOverrides_SetByTheApplication_IsNotOverwritten()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new Environment("Production"));
        services.AddFlaat(options => options.TrustedIssuers.Add("https://a.test"));
        services.Configure<FlaatEvaluatorOptions>(options => options.HonourEnvironmentOverrides = true);
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IOptions<FlaatEvaluatorOptions>>().Value.HonourEnvironmentOverrides, Is.True);
    }

    [TestCase("Development", false, true)]
    [TestCase("Production", false, false)]
    [TestCase("Production", true, true)]
    public void HonourEnvironmentOverrides_Default_FollowsTheHostingSwitch(string environment, bool allow, bool expected)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new Environment(environment));
        services.AddFlaat(options => options.TrustedIssuers.Add("https://a.test")).ConfigureEndpoints(options => options.AllowEnvironmentOverrides = allow);
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IOptions<FlaatEvaluatorOptions>>().Value.HonourEnvironmentOverrides, Is.EqualTo(expected));
    }

    [Test]
    public async Task AccessLevelNames_AnyCase_CodeConfigurationAndEndpointsAgree()
    {
        await using var app = await TestApp.StartAsync(new FakeAuthenticator(), builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Flaat:TrustedIssuers:0"] = FakeAuthenticator.Issuer,
                ["Flaat:AccessLevels:OPS:Kind"] = "claim",
                ["Flaat:AccessLevels:OPS:Claim"] = "groups",
                ["Flaat:AccessLevels:OPS:Values:0"] = "users",
            });
            builder.Services.AddFlaat().AddAccessLevel("Readers", new ClaimContains("groups", "admins"));
        }, app =>
        {
            app.MapGet("/ops", () => "ops").RequireFlaatAccessLevel("ops");
            app.MapGet("/readers", () => "readers").RequireFlaatAccessLevel("READERS");
        });

        using var ops = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/ops", "Bearer user.bob"));
        using var readers = await app.Client.SendAsync(TestApp.Request(HttpMethod.Get, "/readers", "Bearer user.bob"));

        Assert.Multiple(() =>
        {
            Assert.That(ops.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(readers.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        });
    }

    [Test]
    public void BadLevel_InAppSettings_StartFailsNamingTheConfigurationPath()
    {
        var exception = Assert.ThrowsAsync<OptionsValidationException>(async () => await TestApp.StartAsync(new FakeAuthenticator(), builder =>
        {
            builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes("""
                { "Flaat": { "TrustedIssuers": [ "https://a.test" ], "AccessLevels": { "auditors": { "Kind": "claim", "Values": [ "x" ], "Match": "most" } } } }
                """)));
            builder.Services.AddFlaat();
        }, _ => { }));

        Assert.That(exception!.Failures, Is.EquivalentTo(new[]
        {
            "Flaat:AccessLevels:auditors:Match must be 'all', 'one' or a positive number, got 'most'.",
            "Flaat:AccessLevels:auditors:Claim must name the claim to check for kind 'claim'.",
        }));
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "test";

        public string ContentRootPath { get; set; } = "/";

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
