using System.Net;
using Flaat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// The attack of the hardening issue: a burst of malformed credentials (non-ASCII tokens, two
/// Authorization headers, tokens with white space or commas, huge tokens) must cost no OP call and
/// open no circuit, so valid tokens of every trusted OP still pass right after it. Run on TestServer
/// and on Kestrel, where the malformed requests go over a raw socket exactly as an attacker sends them.
/// </summary>
public sealed class AttackResilienceTests
{
    private FakeOpenIdProvider _a = null!;
    private FakeOpenIdProvider _b = null!;

    [SetUp]
    public void StartOps()
    {
        _a = FakeOpenIdProvider.Start();
        _b = FakeOpenIdProvider.Start();
    }

    [TearDown]
    public async Task StopOpsAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private int OpRequests() =>
        Enum.GetValues<FakeOpenIdEndpoint>().Sum(e => _a.RequestCount(e) + _b.RequestCount(e));

    private async Task<WebApplication> StartAppAsync(bool kestrel)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        if (kestrel)
        {
            builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        builder.Logging.ClearProviders();
        builder.Services.AddFlaat(options =>
        {
            options.TrustedIssuers.Add(_a.Issuer);
            options.TrustedIssuers.Add(_b.Issuer);
            options.RequestTimeout = TimeSpan.FromSeconds(10);
            options.Probing.Deadline = TimeSpan.FromSeconds(10);
            // Low, so that malformed requests counted as OP failures would open the circuits quickly.
            options.Resilience.CircuitBreakerFailureThreshold = 3;
        });
        var app = builder.Build();
        app.MapGet("/me", (UserInfos user) => user.Subject).RequireFlaat();
        await app.StartAsync();
        return app;
    }

    /// <summary>
    /// Malformed credentials; <paramref name="raw"/> adds those HttpClient would normalise before
    /// sending (it re-serialises a parseable Authorization value, turning a tab into a space).
    /// </summary>
    private static IEnumerable<string[]> MalformedRequests(bool raw)
    {
        for (var i = 0; i < 30; i++)
        {
            yield return [$"Bearer opaque-{i}-\u00e9\u00e8"];
            yield return [$"Bearer {i}\u20ac"];
        }

        for (var i = 0; i < 10; i++)
        {
            yield return [$"Bearer first-{i}", $"Bearer second-{i}"];
            yield return [$"Bearer a{i}, Bearer b{i}"];
            yield return [$"Bearer a{i} b{i}"];
            yield return [$"Bearer a={i}"];
            yield return ["Bearer " + new string('x', 20_000 + i)];
            if (raw)
            {
                yield return [$"Bearer\tabc{i}"];
                yield return [$"Bearer  abc{i}"];
            }
        }
    }

    [TestCase(false, TestName = "Burst_MalformedCredentialsOnTestServer_NoOpCallAndValidTokensOfEveryOpStillPass")]
    [TestCase(true, TestName = "Burst_MalformedCredentialsOnKestrel_NoOpCallAndValidTokensOfEveryOpStillPass")]
    public async Task Burst_MalformedCredentials_NoOpCallAndValidTokensOfEveryOpStillPass(bool kestrel)
    {
        await using var app = await StartAppAsync(kestrel);
        using var client = kestrel ? new HttpClient { BaseAddress = new Uri(Address(app)) } : app.GetTestClient();

        var statuses = new List<(int Status, string? Challenge)>();
        foreach (var headers in MalformedRequests(raw: kestrel))
        {
            statuses.Add(kestrel ? await RawHttp.GetAsync(new Uri(Address(app)), "/me", headers) : await SendAsync(client, headers));
        }

        var afterMalformed = OpRequests();
        var garbage = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.SendAsync(TestApp.Request(HttpMethod.Get, "/me", $"Bearer garbage-{Guid.NewGuid():N}"));
            garbage.Add(response.StatusCode);
        }

        var alice = await GetAsync(client, _a.CreateOpaqueToken(new FakeUser("alice")));
        var bob = await GetAsync(client, _b.CreateOpaqueToken(new FakeUser("bob")));
        var carol = await GetAsync(client, _b.CreateJwt(new FakeUser("carol")));

        Assert.Multiple(() =>
        {
            Assert.That(statuses.Select(s => s.Status), Is.All.EqualTo(401), "the client's fault: never a 503 or a 500");
            Assert.That(statuses.Select(s => s.Challenge), Is.All.StartsWith("Bearer error=\"invalid_"), "invalid_request or invalid_token");
            Assert.That(afterMalformed, Is.Zero, "malformed credentials cost no OP call");
            Assert.That(garbage, Is.All.EqualTo(HttpStatusCode.Unauthorized), "well-formed unknown tokens are rejected by the OPs, not an outage");
            Assert.That(alice, Is.EqualTo((HttpStatusCode.OK, "alice")));
            Assert.That(bob, Is.EqualTo((HttpStatusCode.OK, "bob")));
            Assert.That(carol, Is.EqualTo((HttpStatusCode.OK, "carol")));
        });
    }

    private static async Task<(HttpStatusCode, string)> GetAsync(HttpClient client, string token)
    {
        using var response = await client.SendAsync(TestApp.Request(HttpMethod.Get, "/me", "Bearer " + token));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<(int, string?)> SendAsync(HttpClient client, string[] authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, response.Headers.WwwAuthenticate.ToString());
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
