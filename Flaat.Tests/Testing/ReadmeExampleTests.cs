using System.Net;
using System.Net.Http.Headers;
using Flaat.Requirements;
using Flaat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.Testing;

/// <summary>The examples of Flaat.Testing/README.md, run as written, against the real engine and adapters.</summary>
public sealed class ReadmeExampleTests
{
    [Test]
    public async Task Hello_TokenOfTrustedProvider_Returns200AndNoToken401()
    {
        await using var op = FakeOpenIdProvider.Start();
        var alice = new FakeUser("alice")
            .WithClaim("email", "alice@example.org")
            .WithClaim("groups", new[] { "admins" });

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddFlaat(o => o.TrustedIssuers.Add(op.Issuer));
        await using var app = builder.Build();
        app.MapGet("/hello", () => "hello").RequireFlaat();
        await app.StartAsync();
        using var client = app.GetTestClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/hello");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", op.CreateJwt(alice));
        using var withToken = await client.SendAsync(request);
        using var withoutToken = await client.GetAsync("/hello");

        Assert.That(withToken.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(withoutToken.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Admin_GroupRequirementOpaqueTokensAndProviderDown_200For403For503()
    {
        await using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { ClientId = "my-api", ClientSecret = "secret" });
        var alice = new FakeUser("alice").WithClaim("groups", new[] { "admins" });
        var bob = new FakeUser("bob").WithClaim("groups", new[] { "users" });

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddFlaat(o =>
        {
            o.TrustedIssuers.Add(op.Issuer);
            o.ClientId = "my-api";
            o.ClientSecret = "secret";
        });
        await using var app = builder.Build();
        app.MapGet("/admin", () => "admin").RequireFlaat(Require.Claim("admins", "groups"));
        await app.StartAsync();
        using var client = app.GetTestClient();

        async Task<HttpStatusCode> GetAdminAsync(string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        var admin = await GetAdminAsync(op.CreateJwt(alice));
        var user = await GetAdminAsync(op.CreateJwt(bob));
        var opaqueAdmin = await GetAdminAsync(op.CreateOpaqueToken(alice));
        op.SimulateDown();
        var down = await GetAdminAsync(op.CreateOpaqueToken(bob));

        Assert.Multiple(() =>
        {
            Assert.That(admin, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(user, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(opaqueAdmin, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(down, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        });
    }
}
