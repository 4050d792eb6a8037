using System.Net;
using Flaat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.Testing;

/// <summary>The DPoP example of Flaat.Testing/README.md, run as written.</summary>
public sealed class DpopReadmeExampleTests
{
    [Test]
    public async Task Items_DpopBoundToken_NeedsAFreshProofEachTime()
    {
        await using var op = FakeOpenIdProvider.Start();
        using var key = FakeDpopKey.Create();
        var token = op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { DpopKey = key });

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddFlaat(o => o.TrustedIssuers.Add(op.Issuer));
        await using var app = builder.Build();
        app.MapGet("/items", () => "items").RequireFlaat();
        await app.StartAsync();
        using var client = app.GetTestClient();

        async Task<HttpStatusCode> GetAsync(string scheme, string? proof)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/items");
            request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {token}");
            if (proof is not null)
            {
                request.Headers.TryAddWithoutValidation("DPoP", proof);
            }

            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        var proof = key.CreateProof("GET", "http://localhost/items", token);
        Assert.That(await GetAsync("DPoP", proof), Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await GetAsync("DPoP", proof), Is.EqualTo(HttpStatusCode.Unauthorized));      // replayed
        Assert.That(await GetAsync("Bearer", null), Is.EqualTo(HttpStatusCode.Unauthorized));     // bound token as Bearer
        Assert.That(await GetAsync("DPoP", key.CreateProof("GET", "http://localhost/items", token)), Is.EqualTo(HttpStatusCode.OK));
    }
}
