using System.Net;
using System.Text.Json;
using Flaat.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.AspNetCore;

/// <summary><c>AddFlaat(...).ReadTokenFrom(...)</c>: an application's own token source, seen by every HTTP adapter.</summary>
public sealed class CustomTokenSourceTests
{
    private const string Cookie = "session_token";

    private static Task<TestApp> StartAsync(FakeAuthenticator op, Func<HttpContext, string?> read, bool mvc = false) =>
        TestApp.StartAsync(op, builder =>
        {
            builder.Services.AddFlaat(o => o.TrustedIssuers.Add(FakeAuthenticator.Issuer)).ReadTokenFrom(read);
            builder.Services.AddAuthentication(FlaatAuthenticationDefaults.AuthenticationScheme).AddFlaat();
            builder.Services.AddAuthorization();
            if (mvc)
            {
                builder.Services.AddControllers().UseOnlyControllers(typeof(CookieController));
            }
        }, web =>
        {
            web.MapGet("/me", (UserInfos user) => user.Subject).RequireFlaat();
            web.MapGet("/scheme", (HttpContext context) => context.User.Identity!.Name).RequireAuthorization();
            if (mvc)
            {
                web.MapControllers();
            }
        });

    private static string? FromCookie(HttpContext context) => context.Request.Cookies[Cookie];

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient client, string path, string? cookie = null, string? authorization = null)
    {
        using var request = TestApp.Request(HttpMethod.Get, path, authorization);
        if (cookie is not null)
        {
            request.Headers.TryAddWithoutValidation("Cookie", $"{Cookie}={cookie}");
        }

        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task ReadTokenFrom_TokenInACookie_EveryAdapterSeesTheUser()
    {
        await using var app = await StartAsync(new FakeAuthenticator(), FromCookie, mvc: true);

        var gate = await SendAsync(app.Client, "/me", cookie: "user.alice");
        var scheme = await SendAsync(app.Client, "/scheme", cookie: "user.alice");
        var mvc = await SendAsync(app.Client, "/mvc/me", cookie: "user.bob");

        Assert.Multiple(() =>
        {
            Assert.That(gate, Is.EqualTo((HttpStatusCode.OK, "alice")));
            Assert.That(scheme, Is.EqualTo((HttpStatusCode.OK, "alice")));
            Assert.That(mvc, Is.EqualTo((HttpStatusCode.OK, "bob")));
        });
    }

    [Test]
    public async Task ReadTokenFrom_SourceHasNothing_AuthorizationHeaderStillWorks()
    {
        await using var app = await StartAsync(new FakeAuthenticator(), FromCookie);

        var header = await SendAsync(app.Client, "/me", authorization: "Bearer user.bob");
        var none = await SendAsync(app.Client, "/me");

        Assert.Multiple(() =>
        {
            Assert.That(header, Is.EqualTo((HttpStatusCode.OK, "bob")));
            Assert.That(none.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task ReadTokenFrom_TokenAlsoInTheHeader_RefusedAsSeveralMethodsBeforeTheEngine()
    {
        var op = new FakeAuthenticator();
        await using var app = await StartAsync(op, FromCookie);

        var both = await SendAsync(app.Client, "/me", cookie: "user.alice", authorization: "Bearer user.alice");

        using var body = JsonDocument.Parse(both.Body);
        Assert.Multiple(() =>
        {
            Assert.That(both.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(body.RootElement.GetProperty("error_description").GetString(), Is.EqualTo("The request presents an access token in more than one way"));
            Assert.That(op.Calls, Is.Zero);
        });
    }

    [TestCase("user alice")]
    [TestCase("user.alice%00")]
    [TestCase("")]
    public async Task ReadTokenFrom_TokenOfTheWrongShape_RefusedBeforeTheEngineWithoutEchoingIt(string value)
    {
        var op = new FakeAuthenticator();
        await using var app = await StartAsync(op, _ => value);

        var result = await SendAsync(app.Client, "/me");

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(op.Calls, Is.Zero);
            Assert.That(value.Length == 0 || !result.Body.Contains(value, StringComparison.Ordinal), Is.True);
        });
    }

    [Test]
    public async Task ReadTokenFrom_FunctionThrows_RefusedAsInvalidRequestNever500AndLoggedWithoutTheToken()
    {
        var op = new FakeAuthenticator();
        var logs = new ListLoggerProvider();
        await using var app = await TestApp.StartAsync(op, builder =>
        {
            builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
            builder.Services.AddFlaat(o => o.TrustedIssuers.Add(FakeAuthenticator.Issuer))
                .ReadTokenFrom(context => throw new FormatException("cannot parse cookie " + context.Request.Cookies[Cookie]));
            builder.Services.AddAuthentication(FlaatAuthenticationDefaults.AuthenticationScheme).AddFlaat();
            builder.Services.AddAuthorization();
        }, web =>
        {
            web.MapGet("/me", (UserInfos user) => user.Subject).RequireFlaat();
            web.MapGet("/scheme", (HttpContext context) => context.User.Identity!.Name).RequireAuthorization();
        });

        using var request = TestApp.Request(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("Cookie", $"{Cookie}=user.alice");
        using var gate = await app.Client.SendAsync(request);
        var scheme = await SendAsync(app.Client, "/scheme", cookie: "user.alice");

        Assert.Multiple(() =>
        {
            Assert.That(gate.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(gate.Headers.WwwAuthenticate.ToString(), Does.Contain("error=\"invalid_request\""));
            Assert.That(scheme.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(op.Calls, Is.Zero);
            Assert.That(logs.Lines, Has.Some.Contains("ReadTokenFrom").And.Some.Contains("FormatException"));
            Assert.That(logs.Lines, Has.None.Contains("user.alice"));
        });
    }

    [Test]
    public void ReadTokenFrom_NullFunction_Throws()
    {
        var builder = new ServiceCollection().AddFlaat(o => o.TrustedIssuers.Add(FakeAuthenticator.Issuer));

        Assert.That(() => builder.ReadTokenFrom(null!), Throws.ArgumentNullException);
    }

    [Route("mvc")]
    [FlaatAuthenticated]
    public sealed class CookieController : ControllerBase
    {
        [HttpGet("me")]
        public string Me(UserInfos user) => user.Subject!;
    }
}
