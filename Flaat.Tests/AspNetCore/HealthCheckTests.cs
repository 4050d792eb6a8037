using Flaat.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.AspNetCore;

/// <summary>services.AddHealthChecks().AddFlaat(): each trusted issuer judged from the engine's own state, through ASP.NET Core's health check service.</summary>
public sealed class HealthCheckTests
{
    private const string Secret = "client-secret-never-shown";

    [Test]
    public async Task CheckHealth_OneOpServingAndOneNeverAsked_HealthyWithALinePerIssuer()
    {
        using var op = FakeOpenIdProvider.Start();
        using var quiet = FakeOpenIdProvider.Start();
        using var host = BuildHost(op, quiet);
        var token = op.CreateJwt(new FakeUser("bob"));
        await host.Services.GetRequiredService<IFlaatAuthenticator>().AuthenticateAsync(new AuthenticationRequest(token));

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["flaat"];
        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(entry.Description, Is.EqualTo("2 trusted issuers: 2 healthy, 0 degraded, 0 unhealthy."));
            Assert.That(entry.Data[op.Issuer], Does.StartWith("Healthy: configuration and keys loaded"));
            Assert.That(entry.Data[quiet.Issuer], Does.StartWith("Healthy: not asked yet"));
            AssertNothingSecret(entry, token);
        });
    }

    [Test]
    public async Task CheckHealth_OneOpNeverReached_DegradedAndThatIssuerUnhealthyWithItsError()
    {
        using var op = FakeOpenIdProvider.Start();
        using var down = FakeOpenIdProvider.Start();
        using var host = BuildHost(op, down);
        down.SimulateDown();
        var engine = host.Services.GetRequiredService<IFlaatAuthenticator>();
        await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("alice"))));
        var refused = await engine.AuthenticateAsync(new AuthenticationRequest(down.CreateJwt(new FakeUser("bob"))));

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["flaat"];
        Assert.Multiple(() =>
        {
            Assert.That(refused.Error?.StatusCode, Is.EqualTo(503));
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Degraded), "tokens of the other OP still work");
            Assert.That(entry.Data[op.Issuer], Does.StartWith("Healthy"));
            Assert.That(entry.Data[down.Issuer], Does.StartWith("Unhealthy: never reached").And.Contain("503").And.Contain("status 503"));
        });
    }

    [Test]
    public async Task CheckHealth_UserInfoDownAfterTheConfigurationWasLoaded_DegradedAsStale()
    {
        using var op = FakeOpenIdProvider.Start();
        using var host = BuildHost(op);
        var engine = host.Services.GetRequiredService<IFlaatAuthenticator>();
        await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("alice"))));
        op.SimulateDown(FakeOpenIdEndpoint.UserInfo);
        await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("bob"))));

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Degraded));
            Assert.That(report.Entries["flaat"].Data[op.Issuer], Does.StartWith("Degraded: its last request failed").And.Contain("userinfo"));
        });
    }

    [Test]
    public async Task CheckHealth_EveryOpDown_TheRegistrationsFailureStatus()
    {
        using var op = FakeOpenIdProvider.Start();
        using var host = BuildHost([op], health => health.AddFlaat(failureStatus: HealthStatus.Degraded, tags: ["ready"]));
        op.SimulateDown();
        await host.Services.GetRequiredService<IFlaatAuthenticator>().AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("bob"))));

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"));

        Assert.Multiple(() =>
        {
            Assert.That(report.Entries.Keys, Is.EqualTo(new[] { "flaat" }));
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Degraded), "the failure status the application chose");
            Assert.That(report.Entries["flaat"].Description, Is.EqualTo("1 trusted issuers: 0 healthy, 0 degraded, 1 unhealthy."));
        });
    }

    [Test]
    public async Task CheckHealth_WithoutAddFlaat_UnhealthyNamingTheMissingCall()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.Services.AddHealthChecks().AddFlaat();
        using var host = builder.Build();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Multiple(() =>
        {
            Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(report.Entries["flaat"].Description, Does.Contain("call services.AddFlaat("));
        });
    }

    private static void AssertNothingSecret(HealthReportEntry entry, string token)
    {
        var text = entry.Description + string.Join("\n", entry.Data.Values);
        Assert.That(text, Does.Not.Contain(Secret).And.Not.Contain(token.Split('.')[1]).And.Not.Contain(token.Split('.')[2]));
    }

    private static IHost BuildHost(params FakeOpenIdProvider[] ops) => BuildHost(ops, health => health.AddFlaat());

    private static IHost BuildHost(FakeOpenIdProvider[] ops, Action<IHealthChecksBuilder> health)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.Services.AddFlaat(options =>
        {
            foreach (var op in ops)
            {
                options.Issuers.Add(new IssuerOptions { Issuer = op.Issuer, ClientId = "api", ClientSecret = Secret });
            }

            options.RequestTimeout = TimeSpan.FromSeconds(10);
            options.Resilience.MaxRetries = 0;
        });
        health(builder.Services.AddHealthChecks());
        return builder.Build();
    }
}
