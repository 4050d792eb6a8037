using System.Text;
using Flaat.Evaluation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flaat.Tests.AspNetCore;

/// <summary>The DPoP settings (Flaat:Dpop, Flaat:Issuers:N:Dpop) from appsettings.json, and their start-up checks.</summary>
public sealed class DpopConfigurationTests
{
    [Test]
    public async Task Start_DpopSettingsInAppSettings_BindAndReachTheBinder()
    {
        await using var app = await TestApp.StartAsync(new FakeAuthenticator(), builder =>
        {
            builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes("""
                { "Flaat": {
                    "TrustedIssuers": [ "https://a.test" ],
                    "Issuers": [ { "Issuer": "https://b.test", "Dpop": "Required" } ],
                    "Dpop": { "Mode": "Disabled", "Algorithms": [ "ES256", "EdDSA" ], "ProofLifetime": "00:00:30",
                              "RequireNonce": true, "PublicOrigin": "https://api.example.org", "MaxReplayEntries": 5 } } }
                """)));
            builder.Services.AddFlaat();
        }, _ => { });

        var options = app.App.Services.GetRequiredService<IOptions<FlaatOptions>>().Value;
        var binder = app.App.Services.GetServices<IFlaatTokenBinder>().OfType<DpopTokenBinder>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(options.Dpop.Mode, Is.EqualTo(DpopMode.Disabled));
            Assert.That(options.Issuers[0].Dpop, Is.EqualTo(DpopMode.Required));
            Assert.That(options.Dpop.ProofLifetime, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(options.Dpop.RequireNonce, Is.True);
            Assert.That(options.Dpop.PublicOrigin, Is.EqualTo("https://api.example.org"));
            Assert.That(binder.Algorithms, Is.EqualTo("ES256 EdDSA"));
        });
    }

    [Test]
    public void Start_BadDpopSettings_StartFailsNamingEachSetting()
    {
        var exception = Assert.ThrowsAsync<OptionsValidationException>(async () => await TestApp.StartAsync(new FakeAuthenticator(), builder =>
        {
            builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes("""
                { "Flaat": { "TrustedIssuers": [ "https://a.test" ],
                    "Dpop": { "Algorithms": [ "ES256", "HS256", "none" ], "ProofLifetime": "00:00:00",
                              "PublicOrigin": "https://api.example.org/base", "MaxReplayEntries": 0 } } }
                """)));
            builder.Services.AddFlaat();
        }, _ => { }));

        Assert.That(exception!.Failures, Has.Some.StartsWith("Flaat:Dpop:Algorithms:1 'HS256' is not accepted")
            .And.Some.StartsWith("Flaat:Dpop:Algorithms:2 'none' is not accepted")
            .And.Some.StartsWith("Flaat:Dpop:ProofLifetime must be between")
            .And.Some.StartsWith("Flaat:Dpop:PublicOrigin 'https://api.example.org/base' is not an origin")
            .And.Some.StartsWith("Flaat:Dpop:MaxReplayEntries must be at least 1"));
    }
}
