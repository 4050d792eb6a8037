using Flaat.AspNetCore;
using Flaat.Evaluation;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flaat.Tests.AspNetCore;

public sealed class FlaatRegistrationTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Test]
    public void AddFlaat_NoArguments_BindsTheFlaatSection()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Configuration(
            ("Flaat:TrustedIssuers:0", "https://a.test"),
            ("Flaat:TrustedIssuers:1", "https://b.test/"),
            ("Flaat:RequestTimeout", "00:00:03"),
            ("Flaat:RequireAuthenticationByDefault", "true")));
        services.AddFlaat();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<FlaatOptions>>().Value;
        var endpoints = provider.GetRequiredService<IOptions<FlaatEndpointOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.TrustedIssuers, Is.EqualTo(new[] { "https://a.test", "https://b.test/" }));
            Assert.That(options.RequestTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(endpoints.RequireAuthenticationByDefault, Is.True);
        });
    }

    [Test]
    public void AddFlaat_AudiencesTokenTypesAndProbingBudgets_BindFromConfiguration()
    {
        var services = new ServiceCollection();
        services.AddSingleton(Configuration(
            ("Flaat:TrustedIssuers:0", "https://a.test"),
            ("Flaat:Audiences:0", "https://api.test"),
            ("Flaat:Audiences:1", "api"),
            ("Flaat:Issuers:0:Issuer", "https://b.test"),
            ("Flaat:Issuers:0:AccessTokenTypes:0", "JWT"),
            ("Flaat:Issuers:0:Audiences:0", "api-at-b"),
            ("Flaat:Probing:MaxConcurrentProbes", "4"),
            ("Flaat:Probing:MaxProbesPerSecond", "5")));
        services.AddFlaat();
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<FlaatOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.Audiences, Is.EqualTo(new[] { "https://api.test", "api" }));
            Assert.That(options.Issuers.Single().AccessTokenTypes, Is.EqualTo(new[] { "JWT" }));
            Assert.That(options.Issuers.Single().Audiences, Is.EqualTo(new[] { "api-at-b" }));
            Assert.That(options.Probing.MaxConcurrentProbes, Is.EqualTo(4));
            Assert.That(options.Probing.MaxProbesPerSecond, Is.EqualTo(5));
        });
    }

    [Test]
    public void AddFlaat_Section_BindsThatSection()
    {
        var services = new ServiceCollection();
        services.AddFlaat(Configuration(("Auth:TrustedIssuers:0", "https://c.test")).GetSection("Auth"));
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IOptions<FlaatOptions>>().Value.TrustedIssuers, Is.EqualTo(new[] { "https://c.test" }));
    }

    [Test]
    public void AddFlaat_CalledTwice_RegistersEachServiceOnce()
    {
        var services = new ServiceCollection();
        services.AddFlaat(options => options.TrustedIssuers.Add("https://a.test"));
        services.AddFlaat(options => options.TrustedIssuers.Add("https://b.test"));

        Assert.Multiple(() =>
        {
            foreach (var type in new[] { typeof(FlaatEvaluator), typeof(IFlaatAuthenticator), typeof(FlaatEndpointPolicyResolver), typeof(UserInfos) })
            {
                Assert.That(services.Count(d => d.ServiceType == type), Is.EqualTo(1), type.Name);
            }

            Assert.That(services.Count(d => d.ImplementationType == typeof(FlaatOptionsValidation)), Is.EqualTo(1));
        });
    }

    [Test]
    public void AddFlaat_AuthenticatorRegisteredBefore_IsKept()
    {
        var services = new ServiceCollection();
        var fake = new FakeAuthenticator();
        services.AddSingleton<IFlaatAuthenticator>(fake);
        services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer));
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<FlaatEvaluator>().Authenticator, Is.SameAs(fake));
    }

    [Test]
    public void AddAccessLevel_CodeAndName_IsResolvedCaseInsensitively()
    {
        var services = new ServiceCollection();
        var requirement = new ClaimContains("groups", "admins");
        services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer)).AddAccessLevel("Admin", requirement);
        using var provider = services.BuildServiceProvider();

        var registry = provider.GetRequiredService<FlaatAccessLevelRegistry>();

        Assert.That(registry.Get("admin", endpointName: null), Is.SameAs(requirement));
    }

    [Test]
    public async Task Start_EnvironmentOverrideSetAndHonoured_LogsAWarning()
    {
        var logs = await StartAndCollectLogsAsync(
            allowOverrides: true, name => name == FlaatEvaluator.DisableAuthorizationVariable ? "yes" : null);

        Assert.That(logs.Entries, Has.One.Matches<(LogLevel Level, EventId Id, string Message)>(
            e => e.Level == LogLevel.Warning && e.Id.Id == 3002 && e.Message.Contains(FlaatEvaluator.DisableAuthorizationVariable, StringComparison.Ordinal)));
    }

    [Test]
    public async Task Start_EnvironmentOverrideSetButNotAllowed_WarnsThatItIsIgnored()
    {
        var logs = await StartAndCollectLogsAsync(
            allowOverrides: false, name => name == FlaatEvaluator.DisableAuthenticationVariable ? "YES" : null);

        Assert.That(logs.Entries.Select(e => e.Id.Id), Has.Member(3003).And.No.Member(3002));
    }

    [Test]
    public async Task Start_NoOverrideSet_LogsNoOverrideWarning()
    {
        var logs = await StartAndCollectLogsAsync(allowOverrides: true, _ => null, environment: "Development");

        Assert.That(logs.Entries.Select(e => e.Id.Id), Has.No.Member(3002).And.No.Member(3003));
    }

    /// <summary>Starts an app with the given override settings and returns what it logged while starting.</summary>
    private static async Task<ListLoggerProvider> StartAndCollectLogsAsync(bool allowOverrides, Func<string, string?> environmentReader, string environment = "Production")
    {
        var logs = new ListLoggerProvider();
        Action<WebApplicationBuilder> configure = builder =>
        {
            builder.Logging.AddProvider(logs);
            builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer))
                .ConfigureEndpoints(options => options.AllowEnvironmentOverrides = allowOverrides);
            builder.Services.Configure<FlaatEvaluatorOptions>(options => options.EnvironmentReader = environmentReader);
        };
        await using var app = await TestApp.StartAsync(new FakeAuthenticator(), configure, _ => { }, environment);
        return logs;
    }
}
