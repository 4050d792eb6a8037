using System.Net;
using System.Net.Http.Headers;
using Flaat.AspNetCore;
using Flaat.Engine;
using Flaat.Requirements;
using Flaat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// SignalR hubs guarded by Flaat, on a real Kestrel server, reached with the real .NET SignalR
/// client over WebSockets and server-sent events, with JWTs of the fake OP: the token in the
/// <c>Authorization</c> header (what the .NET client sends) or in the <c>access_token</c> query
/// parameter (what browsers' clients send on WebSockets and event streams).
/// </summary>
[NonParallelizable]
public sealed class SignalRHubTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private FakeOpenIdProvider _op = null!;
    private FlaatAuthenticator _engine = null!;
    private WebApplication _app = null!;
    private string _url = null!;
    private readonly ListLoggerProvider _flaatLogs = new();

    [FlaatAuthenticated]
    public sealed class WhoHub : Hub
    {
        public string WhoAmI() => $"{Context.User?.Identity?.Name}|{Context.GetHttpContext()?.GetUserInfos()?.Subject}";
    }

    /// <summary>The hub class's Flaat attribute adds to the policy of <c>.RequireFlaat()</c> on MapHub.</summary>
    [FlaatClaim("groups", "admins")]
    public sealed class AdminsHub : Hub
    {
        public string WhoAmI() => Context.User?.Identity?.Name ?? "?";
    }

    public sealed class PlainHub : Hub
    {
        public string WhoAmI() => $"{Context.User?.Identity?.Name}|{Context.GetHttpContext()?.GetUserInfos()?.Subject}";
    }

    public sealed class MethodPolicyHub : Hub
    {
        [Microsoft.AspNetCore.Authorization.Authorize(Policy = "flaat-admins")]
        public string Secret() => "secret";
    }

    public sealed class MethodAttributeHub : Hub
    {
        [FlaatClaim("groups", "admins")]
        public string Secret() => "secret";
    }

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _op = FakeOpenIdProvider.Start();
        var options = new FlaatOptions { ClockSkew = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(10) };
        // Generous: the first OP call of a busy test machine may be slow, and that must not read as an outage (503).
        options.Probing.Deadline = TimeSpan.FromSeconds(20);
        options.TrustedIssuers.Add(_op.Issuer);
        _engine = new FlaatAuthenticator(options);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        // Flaat's own logs, every level: a query token must never appear in them.
        builder.Logging.AddProvider(_flaatLogs).SetMinimumLevel(LogLevel.Trace)
            .AddFilter((category, _) => category?.StartsWith("Flaat", StringComparison.Ordinal) == true);
        builder.Services.AddSingleton<IFlaatAuthenticator>(_engine);
        builder.Services.AddFlaat(o => o.TrustedIssuers.Add(_op.Issuer)).ReadQueryTokenOn("/hubs");
        builder.Services.AddSignalR();
        _app = builder.Build();
        _app.MapHub<WhoHub>("/hubs/who", o => o.CloseOnAuthenticationExpiration = true).RequireFlaat();
        _app.MapHub<WhoHub>("/hubs/admins", o => o.CloseOnAuthenticationExpiration = true).RequireFlaat(Require.Claim("admins", "groups"));
        _app.MapHub<AdminsHub>("/hubs/attributes").RequireFlaat();
        _app.MapHub<WhoHub>("/plain/who").RequireFlaat();
        await _app.StartAsync();
        _url = _app.Urls.Single();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _app.DisposeAsync();
        _engine.Dispose();
        await _op.DisposeAsync();
    }

    private string Token(string subject, TimeSpan? lifetime = null)
    {
        var user = new FakeUser(subject).WithClaim("groups", subject == "alice" ? new[] { "admins", "users" } : ["users"]);
        return _op.CreateJwt(user, new FakeTokenOptions { Lifetime = lifetime ?? TimeSpan.FromHours(1) });
    }

    /// <summary>The .NET client: the token in the <c>Authorization</c> header on every request.</summary>
    private HubConnection HeaderClient(string path, HttpTransportType transport, string? token) =>
        new HubConnectionBuilder()
            .WithUrl(_url + path, o =>
            {
                o.Transports = transport;
                o.AccessTokenProvider = () => Task.FromResult(token);
            })
            .Build();

    /// <summary>
    /// What a browser's SignalR client does: the header on its HTTP requests (negotiate, sends), the
    /// token in the query string of the WebSocket upgrade and the event stream (neither can carry a header).
    /// </summary>
    private HubConnection BrowserLikeClient(string path, HttpTransportType transport, string token, bool skipNegotiation = false) =>
        new HubConnectionBuilder()
            .WithUrl(_url + path + "?access_token=" + Uri.EscapeDataString(token), o =>
            {
                o.Transports = transport;
                o.SkipNegotiation = skipNegotiation;
                o.HttpMessageHandlerFactory = inner => new HeaderOnPosts(inner, token);
            })
            .Build();

    [TestCase(HttpTransportType.WebSockets)]
    [TestCase(HttpTransportType.ServerSentEvents)]
    public async Task Hub_TokenInTheHeader_CallSeesTheUser(HttpTransportType transport)
    {
        await using var connection = HeaderClient("/hubs/who", transport, Token("alice"));

        await connection.StartAsync().WaitAsync(Bound);
        var who = await connection.InvokeAsync<string>(nameof(WhoHub.WhoAmI)).WaitAsync(Bound);

        Assert.That(who, Is.EqualTo("alice|alice"));
    }

    [TestCase(HttpTransportType.WebSockets)]
    [TestCase(HttpTransportType.ServerSentEvents)]
    public async Task Hub_TokenInTheQueryOfTheUpgradeOrEventStream_CallSeesTheUser(HttpTransportType transport)
    {
        await using var connection = BrowserLikeClient("/hubs/who", transport, Token("bob"));

        await connection.StartAsync().WaitAsync(Bound);
        var who = await connection.InvokeAsync<string>(nameof(WhoHub.WhoAmI)).WaitAsync(Bound);

        Assert.That(who, Is.EqualTo("bob|bob"));
    }

    [TestCase(HttpTransportType.WebSockets, null)]
    [TestCase(HttpTransportType.ServerSentEvents, null)]
    [TestCase(HttpTransportType.WebSockets, "not-a-token-of-this-op")]
    [TestCase(HttpTransportType.ServerSentEvents, "not-a-token-of-this-op")]
    public async Task Hub_NoOrInvalidToken_ConnectionRefusedWith401(HttpTransportType transport, string? token)
    {
        await using var connection = HeaderClient("/hubs/who", transport, token);

        var exception = Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync().WaitAsync(Bound));

        Assert.That(exception!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCase(HttpTransportType.WebSockets, "/hubs/admins")]
    [TestCase(HttpTransportType.ServerSentEvents, "/hubs/admins")]
    [TestCase(HttpTransportType.WebSockets, "/hubs/attributes")]
    public async Task Hub_UserLacksTheRequirement_ConnectionRefusedWith403(HttpTransportType transport, string path)
    {
        await using var bob = HeaderClient(path, transport, Token("bob"));
        await using var alice = HeaderClient(path, transport, Token("alice"));

        var exception = Assert.ThrowsAsync<HttpRequestException>(() => bob.StartAsync().WaitAsync(Bound));
        await alice.StartAsync().WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(exception!.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(alice.State, Is.EqualTo(HubConnectionState.Connected));
        });
    }

    [Test]
    public async Task Hub_QueryTokenOnAPathNotNamed_IgnoredSoTheUpgradeIsRefused()
    {
        // Skipping negotiation, the WebSocket upgrade is the only request: its query token is not read.
        await using var elsewhere = BrowserLikeClient("/plain/who", HttpTransportType.WebSockets, Token("alice"), skipNegotiation: true);
        await using var named = BrowserLikeClient("/hubs/who", HttpTransportType.WebSockets, Token("alice"), skipNegotiation: true);

        var exception = Assert.CatchAsync(() => elsewhere.StartAsync().WaitAsync(Bound));
        await named.StartAsync().WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(exception!.Message, Does.Contain("401"));
            Assert.That(named.State, Is.EqualTo(HubConnectionState.Connected));
        });
    }

    [Test]
    public async Task Hub_QueryTokenOnAPlainRequest_Ignored()
    {
        using var client = new HttpClient { BaseAddress = new Uri(_url) };
        var token = Uri.EscapeDataString(Token("alice"));

        using var negotiate = await client.PostAsync($"/hubs/who/negotiate?negotiateVersion=1&access_token={token}", null);
        using var poll = await client.GetAsync($"/hubs/who?id=x&access_token={token}");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/hubs/who/negotiate?negotiateVersion=1&access_token={token}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var stream = await client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(negotiate.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "negotiate is a POST: SignalR clients send the header there");
            Assert.That(poll.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a plain GET (long polling)");
            Assert.That(stream.StatusCode, Is.Not.EqualTo(HttpStatusCode.Unauthorized), "an event-stream GET on the named path: read");
        });
    }

    [Test]
    public async Task Hub_TokenInTheHeaderAndTheQuery_UpgradeRefused()
    {
        var token = Token("alice");
        await using var connection = new HubConnectionBuilder()
            .WithUrl(_url + "/hubs/who?access_token=" + Uri.EscapeDataString(token), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();

        var exception = Assert.CatchAsync(() => connection.StartAsync().WaitAsync(Bound));

        Assert.That(exception!.Message, Does.Contain("401"));
    }

    [TestCase("access_token=a&access_token=b")]
    [TestCase("access_token=not%20a%20token")]
    public async Task Hub_ValidHeaderAndMalformedOrRepeatedQueryToken_UpgradeRefused(string query)
    {
        // RFC 6750 section 2: one method per request, so the query's problem is not hidden by the header.
        await using var connection = new HubConnectionBuilder()
            .WithUrl(_url + "/hubs/who?" + query, o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(Token("alice"));
            })
            .Build();

        var exception = Assert.CatchAsync(() => connection.StartAsync().WaitAsync(Bound));

        Assert.That(exception!.Message, Does.Contain("401"));
    }

    // /plain/who is mapped without CloseOnAuthenticationExpiration: RequireFlaat turns it on.
    [TestCase(HttpTransportType.WebSockets, "/hubs/who")]
    [TestCase(HttpTransportType.ServerSentEvents, "/hubs/who")]
    [TestCase(HttpTransportType.WebSockets, "/plain/who")]
    [TestCase(HttpTransportType.ServerSentEvents, "/plain/who")]
    public async Task Hub_TokenExpires_ConnectionClosed(HttpTransportType transport, string path)
    {
        await using var connection = HeaderClient(path, transport, Token("alice", TimeSpan.FromSeconds(3)));
        var closed = WhenClosed(connection);

        await connection.StartAsync().WaitAsync(Bound);
        var who = await connection.InvokeAsync<string>(nameof(WhoHub.WhoAmI)).WaitAsync(Bound);
        await closed.WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(who, Is.EqualTo("alice|alice"));
            Assert.That(connection.State, Is.EqualTo(HubConnectionState.Disconnected));
        });
    }

    /// <summary>Completes when the connection has closed (the server ended it, e.g. at the token's expiry).</summary>
    private static Task WhenClosed(HubConnection connection)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        return closed.Task;
    }

    [Test]
    public async Task Logs_QueryTokensAcceptedAndRefused_NeverContainTheToken()
    {
        var valid = Token("alice");
        var forbidden = Token("bob");
        await using (var accepted = BrowserLikeClient("/hubs/who", HttpTransportType.WebSockets, valid, skipNegotiation: true))
        await using (var refused = BrowserLikeClient("/hubs/admins", HttpTransportType.WebSockets, forbidden, skipNegotiation: true))
        {
            await accepted.StartAsync().WaitAsync(Bound);
            Assert.CatchAsync(() => refused.StartAsync().WaitAsync(Bound));
        }

        using var client = new HttpClient { BaseAddress = new Uri(_url) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/hubs/who?access_token=" + Uri.EscapeDataString(valid) + "x%20");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var malformed = await client.SendAsync(request);

        var lines = _flaatLogs.Lines;
        Assert.Multiple(() =>
        {
            Assert.That(malformed.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(lines, Is.Not.Empty, "Flaat logged its refusals");
            Assert.That(lines.Where(line => line.Contains(valid[^40..], StringComparison.Ordinal) || line.Contains(forbidden[^40..], StringComparison.Ordinal)), Is.Empty);
        });
    }

    [Test]
    public async Task SchemeHub_QueryTokenAndAuthorize_CallSeesTheUserAndTheTokensExpiryClosesIt()
    {
        // The other set-up: the Flaat authentication scheme and [Authorize] (RequireAuthorization) on the hub.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IFlaatAuthenticator>(_engine);
        builder.Services.AddFlaat(o => o.TrustedIssuers.Add(_op.Issuer)).ReadQueryTokenOn("/hubs");
        builder.Services.AddAuthentication(FlaatAuthenticationDefaults.AuthenticationScheme).AddFlaat();
        builder.Services.AddAuthorization();
        builder.Services.AddSignalR();
        await using var app = builder.Build();
        app.MapHub<PlainHub>("/hubs/scheme", o => o.CloseOnAuthenticationExpiration = true).RequireAuthorization();
        await app.StartAsync();
        var url = app.Urls.Single();
        var token = Token("alice", TimeSpan.FromSeconds(3));
        await using var connection = new HubConnectionBuilder()
            .WithUrl(url + "/hubs/scheme?access_token=" + Uri.EscapeDataString(token), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .Build();
        await using var anonymous = new HubConnectionBuilder()
            .WithUrl(url + "/hubs/scheme", o => o.Transports = HttpTransportType.ServerSentEvents)
            .Build();
        var closed = WhenClosed(connection);

        await connection.StartAsync().WaitAsync(Bound);
        var who = await connection.InvokeAsync<string>(nameof(PlainHub.WhoAmI)).WaitAsync(Bound);
        var refused = Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync().WaitAsync(Bound));
        await closed.WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(who, Is.EqualTo("alice|alice"));
            Assert.That(refused!.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(connection.State, Is.EqualTo(HubConnectionState.Disconnected));
        });
    }

    [Test]
    public async Task Hub_TokenExpiryUnknown_ConnectionClosedAfterTheMaxUserInfosLifetime()
    {
        // FakeAuthenticator's users carry no expiry (as an opaque token without introspection):
        // the ticket ends when Flaat would validate the token again (Cache:MaxUserInfosLifetime).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IFlaatAuthenticator>(new FakeAuthenticator());
        builder.Services.AddFlaat(o =>
        {
            o.TrustedIssuers.Add(FakeAuthenticator.Issuer);
            o.Cache.MaxUserInfosLifetime = TimeSpan.FromSeconds(2);
        });
        builder.Services.AddSignalR();
        await using var app = builder.Build();
        app.MapHub<PlainHub>("/hubs/opaque").RequireFlaat();
        await app.StartAsync();
        await using var connection = new HubConnectionBuilder()
            .WithUrl(app.Urls.Single() + "/hubs/opaque", o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.AccessTokenProvider = () => Task.FromResult<string?>("user.alice");
            })
            .Build();
        var closed = WhenClosed(connection);

        await connection.StartAsync().WaitAsync(Bound);
        var who = await connection.InvokeAsync<string>(nameof(PlainHub.WhoAmI)).WaitAsync(Bound);
        await closed.WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(who, Is.EqualTo("alice|alice"));
            Assert.That(connection.State, Is.EqualTo(HubConnectionState.Disconnected));
        });
    }

    [Test]
    public void StartAsync_HubWhoseDispatcherOptionsAreNotInMetadata_FailsToStartSayingWhatToSet()
    {
        // An endpoint that is a hub to Flaat but carries no dispatcher options Flaat could turn on.
        var exception = Assert.ThrowsAsync<InvalidOperationException>(() => StartOtherAsync(app =>
            app.Map("/hubs/bare", (HttpContext _) => "x").WithMetadata(new HubMetadata(typeof(PlainHub))).RequireFlaat()));

        Assert.That(exception!.Message, Does.Contain("/hubs/bare").And.Contain("CloseOnAuthenticationExpiration = true"));
    }

    [Test]
    public void StartAsync_FlaatAttributeOnAHubWithoutRequireFlaat_FailsToStart()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(() => StartOtherAsync(app => app.MapHub<WhoHub>("/hubs/open")));

        Assert.That(exception!.Message, Does.Contain("/hubs/open").And.Contain("RequireFlaat"));
    }

    [Test]
    public void StartAsync_FlaatAttributeOnAHubMethod_FailsToStartNamingTheMethod()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(() => StartOtherAsync(app => app.MapHub<MethodAttributeHub>("/hubs/methods").RequireFlaat()));

        Assert.That(exception!.Message, Does.Contain("MethodAttributeHub").And.Contain("Secret"));
    }

    [Test]
    public void StartAsync_FlaatPolicyOnAHubMethod_FailsToStartNamingTheMethod()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(() => StartOtherAsync(
            app => app.MapHub<MethodPolicyHub>("/hubs/policy").RequireFlaat(),
            services => services.AddAuthorization(o => o.AddPolicy("flaat-admins", policy => policy.RequireFlaat(Require.Claim("admins", "groups"))))));

        Assert.That(exception!.Message, Does.Contain("MethodPolicyHub").And.Contain("Secret"));
    }

    private async Task StartOtherAsync(Action<WebApplication> map, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        services?.Invoke(builder.Services);
        builder.Services.AddFlaat(o => o.TrustedIssuers.Add(_op.Issuer));
        builder.Services.AddSignalR();
        await using var app = builder.Build();
        map(app);
        await app.StartAsync();
        await app.StopAsync();
    }

    /// <summary>The browser's split: a header where the request can carry one (POST), none on the event stream.</summary>
    private sealed class HeaderOnPosts(HttpMessageHandler inner, string token) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
