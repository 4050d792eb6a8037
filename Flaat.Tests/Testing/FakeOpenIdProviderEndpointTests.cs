using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Flaat.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Testing;

public sealed class FakeOpenIdProviderEndpointTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 6, 1, 12, 0, 0, TimeSpan.Zero));
    private FakeOpenIdProvider _op = null!;
    private HttpClient _http = null!;

    private static FakeUser Alice => new FakeUser("alice")
        .WithClaim("email", "alice@example.org")
        .WithClaim("groups", new[] { "admins", "users" })
        .WithClaim("eduperson_entitlement", new[] { "urn:mace:egi.eu:group:demo:role=member#aai.egi.eu" });

    [OneTimeSetUp]
    public void StartProvider()
    {
        _op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { ClientId = "my api", ClientSecret = "p@ss:word", TimeProvider = _time });
        _http = new HttpClient();
    }

    [OneTimeTearDown]
    public void StopProvider()
    {
        _http.Dispose();
        _op.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonObject? Body, HttpResponseMessage Response)> UserInfoAsync(string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _op.UserInfoEndpoint);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text)?.AsObject(), response);
    }

    private async Task<(HttpStatusCode Status, JsonObject? Body)> IntrospectAsync(string? token, string? clientId = "my api", string? secret = "p@ss:word")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _op.IntrospectionEndpoint);
        var form = new Dictionary<string, string>();
        if (token is not null)
        {
            form["token"] = token;
        }

        request.Content = new FormUrlEncodedContent(form);
        if (clientId is not null)
        {
            // RFC 6749 2.3.1: form-encode id and secret, then Basic.
            var raw = Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(secret!);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(raw)));
        }

        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text)?.AsObject());
    }

    [Test]
    public async Task UserInfo_ValidJwt_ReturnsSubjectAndUserClaims()
    {
        var token = _op.CreateJwt(Alice);

        var (status, body, response) = await UserInfoAsync("Bearer " + token);
        response.Dispose();

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.Multiple(() =>
        {
            Assert.That((string?)body!["sub"], Is.EqualTo("alice"));
            Assert.That((string?)body["email"], Is.EqualTo("alice@example.org"));
            Assert.That(body["groups"]!.AsArray().Select(g => (string?)g), Is.EqualTo(new[] { "admins", "users" }));
            Assert.That(body["eduperson_entitlement"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        });
    }

    [Test]
    public async Task UserInfo_OpaqueToken_ReturnsUserClaims()
    {
        var token = _op.CreateOpaqueToken(Alice);

        var (status, body, response) = await UserInfoAsync("bearer " + token);
        response.Dispose();

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)body!["sub"], Is.EqualTo("alice"));
        Assert.That(token.Split('.'), Has.Length.EqualTo(1), "opaque, not a JWT");
    }

    [Test]
    public async Task UserInfo_UnknownToken_Returns401InvalidToken()
    {
        var (status, _, response) = await UserInfoAsync("Bearer not-a-token-of-this-op");
        using (response)
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("invalid_token"));
        }
    }

    [Test]
    public async Task UserInfo_NoAuthorization_Returns401()
    {
        var (status, _, response) = await UserInfoAsync(null);
        response.Dispose();

        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task UserInfo_TokenExpiredOnProviderClock_Returns401()
    {
        var jwt = _op.CreateJwt(Alice, new FakeTokenOptions { Lifetime = TimeSpan.FromMinutes(1) });
        var opaque = _op.CreateOpaqueToken(Alice, TimeSpan.FromMinutes(1));
        var (before, _, r1) = await UserInfoAsync("Bearer " + jwt);
        r1.Dispose();

        _time.Advance(TimeSpan.FromMinutes(1));
        var (jwtAfter, _, r2) = await UserInfoAsync("Bearer " + jwt);
        var (opaqueAfter, _, r3) = await UserInfoAsync("Bearer " + opaque);
        r2.Dispose();
        r3.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(jwtAfter, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(opaqueAfter, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task UserInfo_RevokedToken_Returns401()
    {
        var token = _op.CreateOpaqueToken(Alice);

        var revoked = _op.RevokeToken(token);
        var (status, _, response) = await UserInfoAsync("Bearer " + token);
        response.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(revoked, Is.True);
            Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Introspect_ActiveOpaqueToken_ReturnsActiveWithStandardAndUserClaims()
    {
        var token = _op.CreateOpaqueToken(Alice, TimeSpan.FromMinutes(10), scope: "openid email");

        var (status, body) = await IntrospectAsync(token);

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.Multiple(() =>
        {
            Assert.That((bool?)body!["active"], Is.True);
            Assert.That((string?)body["sub"], Is.EqualTo("alice"));
            Assert.That((string?)body["iss"], Is.EqualTo(_op.Issuer));
            Assert.That((string?)body["client_id"], Is.EqualTo("my api"));
            Assert.That((string?)body["scope"], Is.EqualTo("openid email"));
            Assert.That((long)body["exp"]!, Is.EqualTo(_time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds()));
            Assert.That((long)body["iat"]!, Is.EqualTo(_time.GetUtcNow().ToUnixTimeSeconds()));
            Assert.That(body["groups"]!.AsArray().Select(g => (string?)g), Is.EqualTo(new[] { "admins", "users" }));
        });
    }

    [Test]
    public async Task Introspect_Jwt_ReportsItsAudienceAndScope()
    {
        var token = _op.CreateJwt(Alice, new FakeTokenOptions { Audiences = { "api-1" }, Scope = "read" });

        var (_, body) = await IntrospectAsync(token);

        Assert.Multiple(() =>
        {
            Assert.That((bool?)body!["active"], Is.True);
            Assert.That((string?)body["aud"], Is.EqualTo("api-1"));
            Assert.That((string?)body["scope"], Is.EqualTo("read"));
        });
    }

    [Test]
    public async Task Introspect_UnknownExpiredOrNotYetValidToken_ReturnsOnlyActiveFalse()
    {
        var expired = _op.CreateOpaqueToken(Alice, TimeSpan.FromSeconds(30));
        var notYet = _op.CreateJwt(Alice, new FakeTokenOptions { NotBefore = _time.GetUtcNow().AddHours(2), Lifetime = TimeSpan.FromHours(3) });
        _time.Advance(TimeSpan.FromSeconds(30));

        var unknown = await IntrospectAsync("unknown");
        var expiredResult = await IntrospectAsync(expired);
        var notYetResult = await IntrospectAsync(notYet);

        Assert.Multiple(() =>
        {
            foreach (var (status, body) in new[] { unknown, expiredResult, notYetResult })
            {
                Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(body!.ToJsonString(), Is.EqualTo("""{"active":false}"""));
            }
        });
    }

    [TestCase("my api", "wrong")]
    [TestCase("someone else", "p@ss:word")]
    public async Task Introspect_WrongClientCredentials_Returns401(string clientId, string secret)
    {
        var token = _op.CreateOpaqueToken(Alice);

        var (status, body) = await IntrospectAsync(token, clientId, secret);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((string?)body!["error"], Is.EqualTo("invalid_client"));
        });
    }

    [Test]
    public async Task Introspect_NoClientAuthentication_Returns401()
    {
        var (status, _) = await IntrospectAsync(_op.CreateOpaqueToken(Alice), clientId: null);

        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Introspect_UnencodedBasicCredentials_AreAcceptedToo()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _op.IntrospectionEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = _op.CreateOpaqueToken(Alice) }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("my api:p@ss:word")));

        using var response = await _http.SendAsync(request);

        Assert.That(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["active"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task Introspect_NoTokenParameter_Returns400()
    {
        var (status, _) = await IntrospectAsync(null);

        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Introspect_OpaqueTokenWithOptions_ReportsAudiencesClientIssuerTimesAndExtraClaims()
    {
        var now = _time.GetUtcNow();
        var token = _op.CreateOpaqueToken(Alice, new FakeTokenOptions
        {
            Audiences = { "a", "b" },
            ClientId = "other",
            Lifetime = TimeSpan.FromMinutes(2),
            NotBefore = now,
            Claims = { ["acr"] = "mfa", ["groups"] = new[] { "overridden" } },
        });

        var (_, body) = await IntrospectAsync(token);

        Assert.Multiple(() =>
        {
            Assert.That((bool?)body!["active"], Is.True);
            Assert.That(body["aud"]!.AsArray().Select(a => (string?)a), Is.EqualTo(new[] { "a", "b" }));
            Assert.That((string?)body["client_id"], Is.EqualTo("other"));
            Assert.That((string?)body["iss"], Is.EqualTo(_op.Issuer));
            Assert.That((long)body["exp"]!, Is.EqualTo(now.AddMinutes(2).ToUnixTimeSeconds()));
            Assert.That((long)body["nbf"]!, Is.EqualTo(now.ToUnixTimeSeconds()));
            Assert.That((string?)body["acr"], Is.EqualTo("mfa"));
            Assert.That(body["groups"]!.AsArray().Select(g => (string?)g), Is.EqualTo(new[] { "overridden" }));
        });
    }

    [Test]
    public async Task UserInfo_UserChangedAfterMinting_ReportsClaimsAsMinted()
    {
        var user = new FakeUser("carol").WithClaim("email", "old@example.org");
        var token = _op.CreateOpaqueToken(user);
        user.WithClaim("email", "new@example.org").WithClaim("sub", "ignored");

        var (_, body, response) = await UserInfoAsync("Bearer " + token);
        response.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That((string?)body!["email"], Is.EqualTo("old@example.org"));
            Assert.That((string?)body["sub"], Is.EqualTo("carol"));
        });
    }
}
