using System.Net;
using Flaat.AspNetCore;
using Flaat.Engine;
using Flaat.Requirements;
using Flaat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// The per-connection token memo on a real Kestrel server and one keep-alive connection: it skips
/// parsing and hashing for a repeated header, and never changes a verdict.
/// </summary>
public sealed class ConnectionTokenMemoTests
{
    private FakeTimeProvider _time = null!;
    private FakeOpenIdProvider _op = null!;
    private FlaatAuthenticator _engine = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = _time });
        var options = new FlaatOptions { ClockSkew = TimeSpan.Zero };
        options.TrustedIssuers.Add(_op.Issuer);
        _engine = new FlaatAuthenticator(options, timeProvider: _time);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IFlaatAuthenticator>(_engine);
        builder.Services.AddFlaat(o => o.TrustedIssuers.Add(_op.Issuer));
        _app = builder.Build();
        // Before Flaat's gate runs: does the connection's memo already hold this request's header?
        _app.Use((context, next) =>
        {
            context.Items["memo"] = ConnectionTokenMemo.HoldsSameHeader(context);
            return next(context);
        });
        _app.MapGet("/whoami", (HttpContext context, UserInfos user) => $"{user.Subject} memo={context.Items["memo"]}").RequireFlaat();
        _app.MapGet("/alice-only", (UserInfos user) => user.Subject).RequireFlaat(Require.Claim("alice", "sub"));
        await _app.StartAsync();

        // One connection, kept alive: every request of a test goes over it.
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = new Uri(_app.Urls.Single()) };
    }

    [TearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        _engine.Dispose();
        await _op.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        using var response = await _client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Gate_SameHeaderTwiceOnOneConnection_SecondRequestServedFromTheMemo()
    {
        var token = _op.CreateJwt(new FakeUser("alice"));

        var first = await GetAsync("/whoami", token);
        var second = await GetAsync("/whoami", token);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo((HttpStatusCode.OK, "alice memo=False")));
            Assert.That(second, Is.EqualTo((HttpStatusCode.OK, "alice memo=True")));
        });
    }

    [Test]
    public async Task Gate_TwoUsersAlternatingOnOneConnection_EachGetsTheirOwnVerdict()
    {
        var alice = _op.CreateJwt(new FakeUser("alice"));
        var bob = _op.CreateJwt(new FakeUser("bob"));

        var results = new List<(HttpStatusCode, string)>();
        for (var round = 0; round < 3; round++)
        {
            results.Add(await GetAsync("/alice-only", alice));
            results.Add(await GetAsync("/alice-only", bob));
            results.Add(await GetAsync("/alice-only", bob));
            results.Add(await GetAsync("/whoami", alice));
        }

        Assert.That(results.Select(r => r.Item1 == HttpStatusCode.OK ? r.Item2.Split(' ')[0] : ((int)r.Item1).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Is.EqualTo(Enumerable.Repeat(new[] { "alice", "403", "403", "alice" }, 3).SelectMany(x => x)));
    }

    [Test]
    public async Task Gate_TokenExpiresAfterMemoHit_RejectedOnTheSameConnection()
    {
        var token = _op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { Lifetime = TimeSpan.FromMinutes(2) });
        await GetAsync("/whoami", token);
        var memoHit = await GetAsync("/whoami", token);

        _time.Advance(TimeSpan.FromMinutes(3));
        var afterExpiry = await GetAsync("/whoami", token);

        Assert.Multiple(() =>
        {
            Assert.That(memoHit, Is.EqualTo((HttpStatusCode.OK, "alice memo=True")));
            Assert.That(afterExpiry.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }
}
