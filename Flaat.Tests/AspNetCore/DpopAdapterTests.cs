using System.Net;
using System.Text.Json;
using Flaat.AspNetCore;
using Flaat.Testing;
using Flaat.Tests.Grpc;
using Flaat.Tests.Grpc.Proto;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// DPoP (RFC 9449) through every adapter — minimal API, MVC, the authentication scheme and gRPC —
/// with the real engine and the fake OP: a valid proof passes; a replayed proof, a wrong method,
/// URL or token hash, a stale proof, a proof by another key, a bound token sent as Bearer and a
/// missing proof are 401s with the DPoP challenge and flaat's JSON body.
/// </summary>
public sealed class DpopAdapterTests
{
    private FakeOpenIdProvider _op = null!;
    private FakeDpopKey _key = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _op = FakeOpenIdProvider.Start();
        _key = FakeDpopKey.Create();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddFlaat(options =>
        {
            options.TrustedIssuers.Add(_op.Issuer);
            options.RequestTimeout = TimeSpan.FromSeconds(10);
        });
        builder.Services.AddAuthentication(FlaatAuthenticationDefaults.AuthenticationScheme).AddFlaat();
        builder.Services.AddAuthorization();
        builder.Services.AddControllers().UseOnlyControllers(typeof(DpopMvcController));
        builder.Services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            o.KnownIPNetworks.Clear();
            o.KnownProxies.Clear();
        });
        _app = builder.Build();
        _app.UseForwardedHeaders();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGet("/minimal", (UserInfos user) => user.Subject).RequireFlaat();
        _app.MapGet("/required", (UserInfos user) => user.Subject).RequireFlaat().WithFlaatDpop();
        _app.MapGet("/scheme", (HttpContext context) => context.User.Identity?.Name ?? "?").RequireAuthorization();
        _app.MapGet("/scheme-required", (HttpContext context) => context.User.Identity?.Name ?? "?").RequireAuthorization().WithFlaatDpop();
        _app.MapControllers();
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        _key.Dispose();
        await _op.DisposeAsync();
    }

    private string BoundToken() => _op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { DpopKey = _key });

    private string Proof(string token, string path, string method = "GET", FakeDpopKey? key = null, DateTimeOffset? issuedAt = null, string origin = "http://localhost") =>
        (key ?? _key).CreateProof(method, origin + path, token, new FakeDpopProofOptions { IssuedAt = issuedAt });

    private async Task<HttpResponseMessage> SendAsync(string path, string authorization, params string[] proofs)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        foreach (var proof in proofs)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }

        return await _client.SendAsync(request);
    }

    private static async Task AssertDpopRefusalAsync(HttpResponseMessage response, string code, string scenario)
    {
        var challenges = response.Headers.WwwAuthenticate.Select(h => h.ToString()).ToArray();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), scenario);
            Assert.That(challenges, Has.Some.StartsWith($"DPoP error=\"{code}\"").And.Some.Contains("algs="), scenario);
            Assert.That(body.RootElement.GetProperty("error_description").GetString(), Is.Not.Empty, scenario);
        });
    }

    [TestCase("/minimal")]
    [TestCase("/mvc/items")]
    [TestCase("/scheme")]
    public async Task Get_ValidProof_200(string path)
    {
        var token = BoundToken();
        using var response = await SendAsync(path, "DPoP " + token, Proof(token, path));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("alice"));
    }

    [TestCase("/minimal")]
    [TestCase("/mvc/items")]
    [TestCase("/scheme")]
    public async Task Get_BadPresentations_401WithTheDpopChallenge(string path)
    {
        using var other = FakeDpopKey.Create();
        var token = BoundToken();
        var used = Proof(token, path);
        (await SendAsync(path, "DPoP " + token, used)).Dispose();

        var scenarios = new (string Name, Func<Task<HttpResponseMessage>> Send, string Code)[]
        {
            ("replayed", () => SendAsync(path, "DPoP " + token, used), "invalid_dpop_proof"),
            ("wrong htm", () => SendAsync(path, "DPoP " + token, Proof(token, path, method: "POST")), "invalid_dpop_proof"),
            ("wrong htu", () => SendAsync(path, "DPoP " + token, Proof(token, path + "/x")), "invalid_dpop_proof"),
            ("wrong ath", () => SendAsync(path, "DPoP " + token, Proof(BoundToken(), path)), "invalid_dpop_proof"),
            ("stale iat", () => SendAsync(path, "DPoP " + token, Proof(token, path, issuedAt: DateTimeOffset.UtcNow.AddMinutes(-10))), "invalid_dpop_proof"),
            ("another key", () => SendAsync(path, "DPoP " + token, Proof(token, path, key: other)), "invalid_token"),
            ("as Bearer", () => SendAsync(path, "Bearer " + token), "invalid_token"),
            ("missing proof", () => SendAsync(path, "DPoP " + token), "invalid_dpop_proof"),
            ("two proofs", () => SendAsync(path, "DPoP " + token, Proof(token, path), Proof(token, path)), "invalid_dpop_proof"),
        };
        foreach (var (name, send, code) in scenarios)
        {
            using var response = await send();
            await AssertDpopRefusalAsync(response, code, name);
        }
    }

    [Test]
    public async Task Get_NoToken_BearerChallengeWhereAllowedAndDpopWhereRequired()
    {
        using var allowed = await _client.GetAsync("/minimal");
        using var required = await _client.GetAsync("/required");

        Assert.Multiple(() =>
        {
            Assert.That(allowed.Headers.WwwAuthenticate.Select(h => h.ToString()), Is.EqualTo(new[] { "Bearer" }));
            Assert.That(required.Headers.WwwAuthenticate.Select(h => h.ToString()), Is.EqualTo(new[] { "DPoP algs=\"ES256 ES384 ES512 PS256 PS384 PS512 RS256 RS384 RS512 EdDSA\"" }));
        });
    }

    [Test]
    public async Task Get_RequiredEndpoint_BearerRefusedDpopAccepted()
    {
        var bearer = _op.CreateJwt(new FakeUser("bob"));
        var bound = BoundToken();
        using var refused = await SendAsync("/required", "Bearer " + bearer);
        using var accepted = await SendAsync("/required", "DPoP " + bound, Proof(bound, "/required"));

        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(refused.Headers.WwwAuthenticate.Select(h => h.Scheme), Is.EqualTo(new[] { "DPoP" }));
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Get_MvcActionWithTheDpopAttribute_BearerRefusedDpopAccepted()
    {
        var bearer = _op.CreateJwt(new FakeUser("bob"));
        var bound = BoundToken();
        using var refused = await SendAsync("/mvc/required", "Bearer " + bearer);
        using var accepted = await SendAsync("/mvc/required", "DPoP " + bound, Proof(bound, "/mvc/required"));

        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(refused.Headers.WwwAuthenticate.Select(h => h.Scheme), Is.EqualTo(new[] { "DPoP" }));
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [TestCase("/scheme-required")]
    [TestCase("/mvc/authorize-required")]
    public async Task Get_AuthenticationSchemeEndpointWithADpopMode_BearerRefusedDpopAccepted(string path)
    {
        // [Authorize] / RequireAuthorization is judged by the authentication scheme only: the endpoint's
        // DPoP mode must apply there too, not only at Flaat's own gates.
        var bearer = _op.CreateJwt(new FakeUser("bob"));
        var bound = BoundToken();
        using var refused = await SendAsync(path, "Bearer " + bearer);
        using var accepted = await SendAsync(path, "DPoP " + bound, Proof(bound, path));

        Assert.Multiple(() =>
        {
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(refused.Headers.WwwAuthenticate.Select(h => h.Scheme), Is.EqualTo(new[] { "DPoP" }));
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Get_BehindAProxyWithForwardedHeaders_ProofNamesThePublicUrl()
    {
        var token = BoundToken();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/minimal");
        request.Headers.TryAddWithoutValidation("Authorization", "DPoP " + token);
        request.Headers.TryAddWithoutValidation("DPoP", Proof(token, "/minimal", origin: "https://API.example.org:443"));
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "api.example.org");
        using var response = await _client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Grpc_ValidProofInTheDpopEntry_PassesAndProblemsAreUnauthenticated()
    {
        await using var host = await GrpcTestHost.StartAsync(_op);
        var client = new Annotated.AnnotatedClient(host.Channel);
        var token = BoundToken();
        const string Method = "/flaat.test.Annotated/WhoAmI";
        Metadata Headers(string? proof)
        {
            var headers = new Metadata { { "authorization", "DPoP " + token } };
            if (proof is not null)
            {
                headers.Add("dpop", proof);
            }

            return headers;
        }

        var reply = await client.WhoAmIAsync(new ProbeRequest(), Headers(Proof(token, Method, method: "POST")));
        var wrongMethod = Assert.ThrowsAsync<RpcException>(async () => await client.WhoAmIAsync(new ProbeRequest(), Headers(Proof(token, Method))));
        var missing = Assert.ThrowsAsync<RpcException>(async () => await client.WhoAmIAsync(new ProbeRequest(), Headers(null)));
        var asBearer = Assert.ThrowsAsync<RpcException>(async () => await client.WhoAmIAsync(new ProbeRequest(), new Metadata { { "authorization", "Bearer " + token } }));

        Assert.Multiple(() =>
        {
            Assert.That(reply.Subject, Is.EqualTo("alice"));
            foreach (var (name, exception) in new[] { ("htm", wrongMethod), ("missing", missing), ("bearer", asBearer) })
            {
                Assert.That(exception!.StatusCode, Is.EqualTo(StatusCode.Unauthenticated), name);
                Assert.That(exception.Trailers.Where(t => t.Key == "www-authenticate").Select(t => t.Value), Has.Some.StartsWith("DPoP error="), name);
            }
        });
    }
}

/// <summary>An MVC controller protected by Flaat's attribute, for the DPoP adapter tests.</summary>
[ApiController]
[Route("mvc")]
public sealed class DpopMvcController : ControllerBase
{
    /// <summary>Answers the caller's subject.</summary>
    [HttpGet("items")]
    [FlaatAuthenticated]
    public string Get([FromServices] UserInfos user) => user.Subject;

    /// <summary>DPoP-bound tokens only, judged by the authentication scheme (<c>[Authorize]</c>).</summary>
    [HttpGet("authorize-required")]
    [Authorize]
    [FlaatDpop]
    public string AuthorizeRequired() => User.Identity?.Name ?? "?";

    /// <summary>DPoP-bound tokens only (the attribute).</summary>
    [HttpGet("required")]
    [FlaatAuthenticated]
    [FlaatDpop]
    public string Required([FromServices] UserInfos user) => user.Subject;
}
