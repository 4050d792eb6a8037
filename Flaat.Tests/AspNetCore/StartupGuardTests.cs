using System.Net;
using Flaat.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// The start-up check: an endpoint whose Flaat policy is protected must be guarded by something
/// Flaat knows, or the application does not start; endpoints without Flaat metadata are left alone.
/// </summary>
public sealed class StartupGuardTests
{
    [Test]
    public void StartAsync_FlaatAttributeOnHandlerWithoutRequireFlaat_FailsNamingTheEndpoint()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await TestApp.StartAsync(new FakeAuthenticator(), builder =>
                builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer)), web =>
                web.MapGet("/admin", [FlaatAuthenticated] () => "admin").WithDisplayName("admin endpoint")));

        Assert.That(exception!.Message, Does.Contain("'admin endpoint'").And.Contain("RequireFlaat"));
    }

    [Test]
    public async Task StartAsync_RequireAuthenticationByDefault_EndpointWithoutFlaatMetadataStartsAndStaysOpen()
    {
        await using var app = await TestApp.StartAsync(new FakeAuthenticator(), builder =>
            builder.Services.AddFlaat(options => options.TrustedIssuers.Add(FakeAuthenticator.Issuer))
                .ConfigureEndpoints(options => options.RequireAuthenticationByDefault = true), web =>
                web.MapGet("/healthz", () => "healthy"));

        using var response = await app.Client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
