using System.Diagnostics.Metrics;
using Flaat.AspNetCore;
using Flaat.Caching;
using Flaat.Diagnostics;
using Flaat.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.AspNetCore;

public sealed class TelemetryRegistrationTests
{
    [Test]
    public async Task AddFlaat_InAHost_EngineCountsOnTheHostsMeterFactory()
    {
        using var op = FakeOpenIdProvider.Start();
        using var host = BuildHost(op);
        var meterFactory = host.Services.GetRequiredService<IMeterFactory>();
        using var authentications = new MetricCollector<long>(meterFactory, FlaatDiagnostics.MeterName, "flaat.authentications");
        using var opRequests = new MetricCollector<long>(meterFactory, FlaatDiagnostics.MeterName, "flaat.op.requests");
        var engine = host.Services.GetRequiredService<IFlaatAuthenticator>();

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("bob"))));

        Assert.That(result.UserInfos, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(authentications.GetMeasurementSnapshot().Select(m => m.Tags["flaat.result"]), Is.EqualTo(new[] { "accepted" }));
            Assert.That(opRequests.GetMeasurementSnapshot().Select(m => m.Tags["flaat.endpoint"]), Is.EquivalentTo(new[] { "discovery", "jwks", "userinfo" }));
        });
    }

    [Test]
    public async Task AddFlaat_IssuerMonitor_ShowsTheEnginesIssuers()
    {
        using var op = FakeOpenIdProvider.Start();
        using var host = BuildHost(op);
        var monitor = host.Services.GetRequiredService<IFlaatIssuerMonitor>();
        var engine = host.Services.GetRequiredService<IFlaatAuthenticator>();

        var before = monitor.GetIssuers().Single();
        await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("bob"))));
        var after = monitor.GetIssuers().Single();

        Assert.Multiple(() =>
        {
            Assert.That(before.Issuer, Is.EqualTo(op.Issuer));
            Assert.That(before.ConfigurationLoadedAt, Is.Null);
            Assert.That(after.ConfigurationLoadedAt, Is.Not.Null);
            Assert.That(after.KeyCount, Is.EqualTo(op.SigningKeys.Count));
        });
    }

    [Test]
    public async Task AddFlaat_Revoker_IsTheEngine()
    {
        using var op = FakeOpenIdProvider.Start();
        using var host = BuildHost(op);
        var engine = host.Services.GetRequiredService<IFlaatAuthenticator>();
        var token = op.CreateOpaqueToken(new FakeUser("bob"));
        await engine.AuthenticateAsync(new AuthenticationRequest(token));
        op.RevokeToken(token);

        await host.Services.GetRequiredService<IFlaatTokenRevoker>().RevokeAsync(token, CancellationToken.None);

        Assert.That((await engine.AuthenticateAsync(new AuthenticationRequest(token))).Error?.StatusCode, Is.EqualTo(401));
    }

    [Test]
    public void AddFlaat_ApplicationsOwnAuthenticator_RevokerSaysItCannot()
    {
        using var op = FakeOpenIdProvider.Start();
        using var host = BuildHost(op, services => services.AddSingleton<IFlaatAuthenticator>(new FakeAuthenticator()));

        var revoker = host.Services.GetRequiredService<IFlaatTokenRevoker>();

        Assert.That(async () => await revoker.RevokeAsync("token", CancellationToken.None), Throws.InstanceOf<NotSupportedException>().With.Message.Contains("IFlaatTokenRevoker"));
    }

    [Test]
    public void AddFlaat_ApplicationsOwnAuthenticator_MonitorShowsNoIssuers()
    {
        using var op = FakeOpenIdProvider.Start();
        using var host = BuildHost(op, services => services.AddSingleton<IFlaatAuthenticator>(new FakeAuthenticator()));

        Assert.That(host.Services.GetRequiredService<IFlaatIssuerMonitor>().GetIssuers(), Is.Empty);
    }

    private static IHost BuildHost(FakeOpenIdProvider op, Action<IServiceCollection>? before = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        before?.Invoke(builder.Services);
        builder.Services.AddFlaat(options =>
        {
            options.TrustedIssuers.Add(op.Issuer);
            options.RequestTimeout = TimeSpan.FromSeconds(10);
        });
        return builder.Build();
    }
}
