using System.Net;
using System.Text.Encodings.Web;
using Flaat.AspNetCore;
using Flaat.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// DPoP in the host: the start-up warning when <c>htu</c> would trust any <c>Host</c> (review S5),
/// and the authentication scheme's challenge when it did not authenticate the request itself (N5).
/// </summary>
public sealed class DpopHostingTests
{
    private static async Task<(WebApplication App, ListLoggerProvider Logs)> StartAsync(FakeOpenIdProvider op, Dictionary<string, string?> settings, Action<IServiceCollection>? services = null, Action<WebApplication>? map = null)
    {
        var logs = new ListLoggerProvider();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders().AddProvider(logs);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddFlaat(options =>
        {
            options.TrustedIssuers.Add(op.Issuer);
            options.RequestTimeout = TimeSpan.FromSeconds(10);
        });
        builder.Services.Configure<FlaatOptions>(builder.Configuration.GetSection("Flaat"));
        services?.Invoke(builder.Services);
        var app = builder.Build();
        map?.Invoke(app);
        await app.StartAsync();
        return (app, logs);
    }

    [TestCase(null, null, true)]
    [TestCase("*", null, true)]
    [TestCase("api.example.org", null, false)]
    [TestCase("*", "https://api.example.org", false)]
    [TestCase("*.example.org", null, true)]
    [TestCase("api.example.org;*.example.org", null, true)]
    public async Task Start_DpopAcceptedWithoutPublicOriginAndAnyHost_WarnsOnce(string? allowedHosts, string? publicOrigin, bool warns)
    {
        await using var op = FakeOpenIdProvider.Start();
        var (app, logs) = await StartAsync(op, new() { ["AllowedHosts"] = allowedHosts, ["Flaat:Dpop:PublicOrigin"] = publicOrigin });
        await using (app)
        {
            Assert.That(logs.Entries.Count(e => e.Id.Id == 3004), Is.EqualTo(warns ? 1 : 0));
        }

        logs.Dispose();
    }

    [Test]
    public async Task Start_DpopDisabledGloballyButAcceptedByAnEndpoint_Warns()
    {
        await using var op = FakeOpenIdProvider.Start();
        var (app, logs) = await StartAsync(op, new() { ["Flaat:Dpop:Mode"] = "Disabled" }, map: app => app.MapGet("/bound", () => "ok").WithFlaatDpop());
        await using (app)
        {
            Assert.That(logs.Entries.Count(e => e.Id.Id == 3004), Is.EqualTo(1));
        }

        logs.Dispose();
    }

    [Test]
    public async Task Start_DpopDisabled_NoWarning()
    {
        await using var op = FakeOpenIdProvider.Start();
        var (app, logs) = await StartAsync(op, new() { ["Flaat:Dpop:Mode"] = "Disabled" });
        await using (app)
        {
            Assert.That(logs.Entries.Count(e => e.Id.Id == 3004), Is.Zero);
        }

        logs.Dispose();
    }

    [Test]
    public async Task Challenge_FlaatIsOnlyTheChallengeSchemeAndTheEndpointRequiresDpop_DpopChallenge()
    {
        // Another scheme authenticates by default, so Flaat's scheme is asked only to challenge.
        await using var op = FakeOpenIdProvider.Start();
        var (app, logs) = await StartAsync(
            op,
            [],
            services =>
            {
                services.AddAuthentication(o =>
                {
                    o.DefaultAuthenticateScheme = "other";
                    o.DefaultChallengeScheme = FlaatAuthenticationDefaults.AuthenticationScheme;
                })
                .AddScheme<AuthenticationSchemeOptions, NoResultHandler>("other", null)
                .AddFlaat();
                services.AddAuthorization();
            },
            app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapGet("/required", () => "ok").RequireAuthorization().WithFlaatDpop();
                app.MapGet("/allowed", () => "ok").RequireAuthorization();
            });
        await using (app)
        {
            using var client = app.GetTestClient();
            using var required = await client.GetAsync("/required");
            using var allowed = await client.GetAsync("/allowed");

            Assert.Multiple(() =>
            {
                Assert.That(required.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
                Assert.That(required.Headers.WwwAuthenticate.Select(h => h.Scheme), Is.EqualTo(new[] { "DPoP" }));
                Assert.That(allowed.Headers.WwwAuthenticate.Select(h => h.ToString()), Is.EqualTo(new[] { "Bearer" }));
            });
        }

        logs.Dispose();
    }

    private sealed class NoResultHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
    }
}
