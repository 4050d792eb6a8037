using System.Net;
using NUnit.Framework.Constraints;
using System.Text.Json;
using Flaat.Evaluation;
using Flaat.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// The scenarios every HTTP adapter must pass, run against each adapter by a subclass that wires
/// the same endpoints its own way: <c>/authenticated</c> (returns the injected user's subject),
/// <c>/admin</c> (access level <c>admin</c>), <c>/claim</c> (<c>email</c> is alice's), <c>/vo</c>
/// (AARC entitlement <c>urn:geant:example.org:group:vo1</c>), <c>/audience</c> (<c>api</c>),
/// <c>/request/{name}</c> (request requirement: name is the caller), <c>/optional</c> (optional
/// authentication); HTTP adapters add <c>/hook</c> and <c>/hook-throws</c> (see
/// <see cref="FlaatHttpAdapterContract"/>). The tokens come from a real (fake) OP over HTTP and are
/// judged by the real engine.
/// </summary>
public abstract class FlaatAdapterContract
{
    private static readonly FakeUser Alice = new FakeUser("alice")
        .WithClaim("groups", new[] { "admins", "users" })
        .WithClaim("email", "alice@example.org")
        .WithClaim("eduperson_entitlement", new[] { "urn:geant:example.org:group:vo1:sub#op.example.org" });

    private static readonly FakeUser Bob = new FakeUser("bob")
        .WithClaim("groups", new[] { "users" })
        .WithClaim("email", "bob@example.org")
        .WithClaim("eduperson_entitlement", new[] { "urn:geant:example.org:group:vo2" });

    private WebApplication? _app;

    private protected FakeOpenIdProvider Op { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    private protected string AliceToken { get; private set; } = null!;

    private protected string BobToken { get; private set; } = null!;

    private string OpUser(string subject) => $"{subject}@{Op.Issuer}";

    /// <summary>Adds the adapter's services (MVC, authentication, ...).</summary>
    protected abstract void ConfigureServices(IServiceCollection services);

    /// <summary>Maps the contract's endpoints.</summary>
    protected abstract void MapEndpoints(WebApplication app);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        Op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { SigningAlgorithms = [FakeSigningKey.ES256] });
        AliceToken = Jwt(Alice, "api");
        BobToken = Jwt(Bob, "other");
        _app = await StartAppAsync(Environments.Production);
        Client = _app.GetTestClient();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        Client.Dispose();
        await _app!.DisposeAsync();
        await Op.DisposeAsync();
    }

    [TearDown]
    public void BringOpBack() => Op.Restore();

    private string Jwt(FakeUser user, string? audience = null, Action<FakeTokenOptions>? configure = null)
    {
        var options = new FakeTokenOptions { Algorithm = FakeSigningKey.ES256 };
        if (audience is not null)
        {
            options.Audiences.Add(audience);
        }

        configure?.Invoke(options);
        return Op.CreateJwt(user, options);
    }

    private protected async Task<WebApplication> StartAppAsync(string environment, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddFlaat(options =>
            {
                options.TrustedIssuers.Add(Op.Issuer);
                // The scenarios are about verdicts, not timeouts: a busy test machine must not turn a 403 into a 503.
                options.RequestTimeout = TimeSpan.FromSeconds(10);
            })
            .AddAccessLevel(ContractEndpoints.AdminLevel, new ClaimContains("groups", "admins"));
        configure?.Invoke(builder.Services);
        ConfigureServices(builder.Services);
        var app = builder.Build();
        MapEndpoints(app);
        await app.StartAsync();
        return app;
    }

    protected static HttpRequestMessage Get(string path, string? authorization = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return request;
    }

    protected static Task AssertFlaatErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error, string description, string? challenge) =>
        AssertFlaatErrorAsync(response, status, error, Is.EqualTo(description), challenge is null ? Is.Empty : Is.EqualTo(challenge));

    protected static async Task AssertFlaatErrorAsync(HttpResponseMessage response, HttpStatusCode status, string error, IResolveConstraint description, IResolveConstraint challenge)
    {
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(status), body);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(json.RootElement.GetProperty("error").GetString(), Is.EqualTo(error));
            Assert.That(json.RootElement.GetProperty("error_description").GetString(), description);
            Assert.That(response.Headers.WwwAuthenticate.ToString(), challenge);
        });
    }

    private protected Task<HttpResponseMessage> SendAsync(string path, string? authorization = null) =>
        SendAsync(_app!, Client, path, authorization);

    /// <summary>
    /// Sends a contract request (<c>GET path</c> with an optional <c>Authorization</c> value) to the
    /// app. Non-HTTP adapters (gRPC) override it: they make the matching call and answer it as an
    /// HTTP response (status, flaat's body, challenge, Retry-After) so the same assertions apply.
    /// </summary>
    protected virtual Task<HttpResponseMessage> SendAsync(WebApplication app, HttpClient client, string path, string? authorization) =>
        client.SendAsync(Get(path, authorization));

    [Test]
    public async Task Authenticated_NoHeader_Is401WithBareBearerChallenge()
    {
        using var response = await SendAsync("/authenticated");

        await AssertFlaatErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthenticated", "No authorization header", "Bearer");
    }

    [Test]
    public async Task Authenticated_WrongScheme_Is401WithBareBearerChallenge()
    {
        using var response = await SendAsync("/authenticated", "Basic YWxpY2U6c2VjcmV0");

        await AssertFlaatErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthenticated", "No bearer token in authorization header", "Bearer");
    }

    [Test]
    public async Task Authenticated_EmptyToken_Is401()
    {
        using var response = await SendAsync("/authenticated", "Bearer ");

        await AssertFlaatErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthenticated", "No access token",
            "Bearer error=\"invalid_request\", error_description=\"No access token\"");
    }

    // Tokens no OP can have issued: refused at the edge, as the client's fault, before any OP is asked.
    [TestCase("Bearer t\u00f6ken")]
    [TestCase("Bearer abc\u20ac")]
    [TestCase("Bearer a=b")]
    [TestCase("Bearer a,b")]
    [TestCase("Bearer abc def")]
    [TestCase("Bearer ===")]
    public async Task Authenticated_TokenOutsideB64TokenGrammar_Is401InvalidTokenWithoutOpCall(string authorization)
    {
        Op.ResetRequestCounts();

        using var response = await SendAsync("/authenticated", authorization);

        await AssertFlaatErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthenticated", TokenGrammar.BadCharacters,
            $"Bearer error=\"invalid_token\", error_description=\"{TokenGrammar.BadCharacters}\"");
        Assert.That(OpRequests(), Is.Zero, "a malformed token costs no OP call");
    }

    [Test]
    public async Task Authenticated_TokenLongerThanTheLimit_Is401InvalidTokenWithoutOpCall()
    {
        Op.ResetRequestCounts();

        using var response = await SendAsync("/authenticated", "Bearer " + new string('a', TokenGrammar.MaxLength + 1));

        await AssertFlaatErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthenticated", TokenGrammar.TooLong,
            $"Bearer error=\"invalid_token\", error_description=\"{TokenGrammar.TooLong}\"");
        Assert.That(OpRequests(), Is.Zero);
    }

    [TestCase("Bearerabc")]
    [TestCase("Token abc")]
    public async Task Authenticated_OtherScheme_Is401WithBareChallenge(string authorization)
    {
        using var response = await SendAsync("/authenticated", authorization);

        await AssertFlaatErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthenticated", "No bearer token in authorization header", "Bearer");
    }

    private protected int OpRequests() =>
        Enum.GetValues<FakeOpenIdEndpoint>().Sum(Op.RequestCount);

    [Test]
    public async Task Authenticated_GarbageToken_Is401InvalidToken()
    {
        using var response = await SendAsync("/authenticated", "Bearer garbage");

        await AssertFlaatErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthenticated", "No trusted OP accepted the token",
            "Bearer error=\"invalid_token\", error_description=\"No trusted OP accepted the token\"");
    }

    [Test]
    public async Task Authenticated_ExpiredToken_Is401InvalidTokenSayingWhy()
    {
        var expired = Jwt(Alice, configure: options =>
        {
            options.IssuedAt = DateTimeOffset.UtcNow.AddHours(-2);
            options.ExpiresAt = DateTimeOffset.UtcNow.AddHours(-1);
        });

        using var response = await SendAsync("/authenticated", "Bearer " + expired);

        await AssertFlaatErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthenticated", "Token has expired",
            "Bearer error=\"invalid_token\", error_description=\"Token has expired\"");
    }

    [Test]
    public async Task Authenticated_UntrustedIssuer_Is401NamingTheIssuer()
    {
        using var response = await SendAsync("/authenticated", "Bearer " + Jwt(Alice, configure: options => options.Issuer = "https://evil.test"));

        await AssertFlaatErrorAsync(response, HttpStatusCode.Unauthorized, "Unauthenticated", "Issuer is not trusted: https://evil.test",
            "Bearer error=\"invalid_token\", error_description=\"Issuer is not trusted: https://evil.test\"");
    }

    [Test]
    public async Task Authenticated_GoodToken_RunsHandlerWithInjectedUser()
    {
        using var response = await SendAsync("/authenticated", "bearer " + AliceToken);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("alice"));
        });
    }

    [Test]
    public async Task AccessLevel_Satisfied_RunsHandler()
    {
        using var response = await SendAsync("/admin", "Bearer " + AliceToken);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("admin"));
        });
    }

    [Test]
    public async Task AccessLevel_NotSatisfied_Is403WithDetailsAndInsufficientScope()
    {
        using var response = await SendAsync("/admin", "Bearer " + BobToken);

        var description = $"User {OpUser("bob")} does not meet requirements";
        await AssertFlaatErrorAsync(response, HttpStatusCode.Forbidden, "Forbidden", description,
            $"Bearer error=\"insufficient_scope\", error_description=\"{description}\"");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(json.RootElement.GetProperty("error_details").GetString(), Is.EqualTo("Claim 'groups' does not contain 'admins'"));
    }

    [TestCase("/claim")]
    [TestCase("/vo")]
    [TestCase("/audience")]
    public async Task ClaimVoAudience_Satisfied_RunsHandler(string path)
    {
        using var response = await SendAsync(path, "Bearer " + AliceToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [TestCase("/claim", "alice@example.org")]
    [TestCase("/vo", "urn:geant:example.org:group:vo1")]
    [TestCase("/audience", "api")]
    public async Task ClaimVoAudience_NotSatisfied_Is403NamingTheRequiredValue(string path, string required)
    {
        using var response = await SendAsync(path, "Bearer " + BobToken);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), body);
            Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("error_details").ToString(), Does.Contain(required));
        });
    }

    [Test]
    public async Task RequestRequirement_Satisfied_RunsHandler()
    {
        using var response = await SendAsync("/request/alice", "Bearer " + AliceToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task RequestRequirement_NotSatisfied_Is403ListingTheFailedChecks()
    {
        using var response = await SendAsync("/request/bob", "Bearer " + AliceToken);

        var description = $"Request from user {OpUser("alice")} does not meet requirements";
        await AssertFlaatErrorAsync(response, HttpStatusCode.Forbidden, "Forbidden", description,
            $"Bearer error=\"insufficient_scope\", error_description=\"{description}\"");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(json.RootElement.GetProperty("error_details").ToString(), Is.EqualTo("""["The name is not alice"]"""));
    }

    [TestCase(null, "anonymous")]
    [TestCase("alice", "alice")]
    [TestCase("Bearer garbage", "anonymous")]
    [TestCase("Basic YWxpY2U6c2VjcmV0", "anonymous")]
    public async Task Optional_AnyOrNoToken_RunsHandlerWithUserOrNull(string? authorization, string expected)
    {
        using var response = await SendAsync("/optional", authorization == "alice" ? "Bearer " + AliceToken : authorization);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(expected));
        });
    }

    [Test]
    public async Task OpDown_Is503WithRetryAfterNotBadToken()
    {
        var token = Jwt(Alice);
        Op.SimulateDown();

        using var response = await SendAsync("/authenticated", "Bearer " + token);

        await AssertFlaatErrorAsync(response, HttpStatusCode.ServiceUnavailable, "Unavailable",
            Does.StartWith($"The OP {Op.Issuer} could not be reached"), Is.Empty);
        Assert.That(response.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task OpDown_OptionalAuthentication_Is503NotAnonymous()
    {
        var token = Jwt(Alice);
        Op.SimulateDown();

        using var response = await SendAsync("/optional", "Bearer " + token);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    [TestCase("Development", false, HttpStatusCode.OK)]
    [TestCase("Production", true, HttpStatusCode.OK)]
    [TestCase("Production", false, HttpStatusCode.Unauthorized)]
    public async Task EnvironmentOverride_DisableAuthentication_HonouredOnlyWhereAllowed(string environment, bool allow, HttpStatusCode expected)
    {
        await using var app = await StartAppAsync(environment, services =>
        {
            services.Configure<Flaat.AspNetCore.FlaatEndpointOptions>(options => options.AllowEnvironmentOverrides = allow);
            services.Configure<FlaatEvaluatorOptions>(options => options.EnvironmentReader =
                name => name == FlaatEvaluator.DisableAuthenticationVariable ? "YES" : null);
        });
        using var client = app.GetTestClient();

        using var response = await SendAsync(app, client, "/admin", null);

        Assert.That(response.StatusCode, Is.EqualTo(expected));
    }

    [TestCase("Development", true, HttpStatusCode.OK)]
    [TestCase("Production", true, HttpStatusCode.Forbidden)]
    [TestCase("Development", false, HttpStatusCode.Unauthorized)]
    public async Task EnvironmentOverride_DisableAuthorization_SkipsRequirementsOnly(string environment, bool sendBob, HttpStatusCode expected)
    {
        var authorization = sendBob ? "Bearer " + BobToken : null;
        await using var app = await StartAppAsync(environment, services =>
            services.Configure<FlaatEvaluatorOptions>(options => options.EnvironmentReader =
                name => name == FlaatEvaluator.DisableAuthorizationVariable ? "YES" : null));
        using var client = app.GetTestClient();

        using var response = await SendAsync(app, client, "/admin", authorization);

        Assert.That(response.StatusCode, Is.EqualTo(expected));
    }
}
