using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace Flaat.Tests.EndToEnd;

/// <summary>
/// The end-to-end harness itself: the real OP starts, the authorization-code flow yields JWT and
/// opaque tokens for both users, and the OP's own endpoints answer as the Flaat tests expect.
/// </summary>
[Category("EndToEnd")]
public sealed class OidcProviderTests
{
    [TestCase(OidcProviderFixture.Alice, new[] { "admins", "users" })]
    [TestCase(OidcProviderFixture.Bob, new[] { "users" })]
    public async Task GetJwtAsync_User_SignedJwtCarriesUsersClaimsAndAudience(string user, string[] groups)
    {
        var op = await OidcProviders.TrustedAsync();

        var token = await op.Client.GetJwtAsync(user);

        var header = JwtPart(token, 0);
        var body = JwtPart(token, 1);
        Assert.Multiple(() =>
        {
            Assert.That(header.GetProperty("alg").GetString(), Is.EqualTo("RS256"));
            Assert.That(header.GetProperty("kid").GetString(), Is.EqualTo("sig-rs256"));
            Assert.That(body.GetProperty("iss").GetString(), Is.EqualTo(op.Issuer));
            Assert.That(body.GetProperty("sub").GetString(), Is.EqualTo(user));
            Assert.That(body.GetProperty("aud").GetString(), Is.EqualTo(OidcProviderFixture.JwtResource));
            Assert.That(body.GetProperty("email").GetString(), Is.EqualTo($"{user}@example.org"));
            Assert.That(Strings(body.GetProperty("groups")), Is.EqualTo(groups));
            Assert.That(body.GetProperty("exp").GetInt64() - body.GetProperty("iat").GetInt64(), Is.EqualTo(300));
        });
    }

    [TestCase(OidcProviderFixture.Es256Resource, "ES256", "sig-es256")]
    [TestCase(OidcProviderFixture.EdDsaResource, "EdDSA", "sig-eddsa")]
    public async Task GetJwtAsync_OtherResource_SignedWithThatResourcesAlgorithm(string resource, string alg, string kid)
    {
        var op = await OidcProviders.TrustedAsync();

        var token = await op.Client.GetJwtAsync(OidcProviderFixture.Alice, resource);

        var header = JwtPart(token, 0);
        Assert.Multiple(() =>
        {
            Assert.That(header.GetProperty("alg").GetString(), Is.EqualTo(alg));
            Assert.That(header.GetProperty("kid").GetString(), Is.EqualTo(kid));
            Assert.That(JwtPart(token, 1).GetProperty("aud").GetString(), Is.EqualTo(resource));
        });
    }

    [TestCase(OidcProviderFixture.Alice, new[] { "admins", "users" }, "urn:geant:example.org:group:admins#aai.example.org")]
    [TestCase(OidcProviderFixture.Bob, new[] { "users" }, "urn:geant:example.org:group:users#aai.example.org")]
    public async Task Userinfo_OpaqueToken_AnswersUsersClaims(string user, string[] groups, string entitlement)
    {
        var op = await OidcProviders.TrustedAsync();
        var token = await op.Client.GetOpaqueTokenAsync(user);

        var (status, userinfo) = await GetUserinfoAsync(op, token);

        Assert.Multiple(() =>
        {
            Assert.That(token.Split('.'), Has.Length.EqualTo(1), "an opaque token is not a JWS");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(userinfo.GetProperty("sub").GetString(), Is.EqualTo(user));
            Assert.That(userinfo.GetProperty("email").GetString(), Is.EqualTo($"{user}@example.org"));
            Assert.That(Strings(userinfo.GetProperty("groups")), Is.EqualTo(groups));
            Assert.That(Strings(userinfo.GetProperty("eduperson_entitlement")), Does.Contain(entitlement));
        });
    }

    [Test]
    public async Task Userinfo_JwtAccessToken_RefusedBecauseItsAudienceIsAnApi()
    {
        // oidc-provider serves userinfo only for tokens without an audience: a JWT access token for
        // an API is not usable there. Flaat must cope with such a (certified) OP.
        var op = await OidcProviders.TrustedAsync();
        var token = await op.Client.GetJwtAsync(OidcProviderFixture.Alice);

        var (status, _) = await GetUserinfoAsync(op, token);

        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCase(OidcProviderFixture.Alice)]
    [TestCase(OidcProviderFixture.Bob)]
    public async Task Introspection_OpaqueTokenWithApiClientCredentials_ActiveWithSubjectAndClient(string user)
    {
        var op = await OidcProviders.TrustedAsync();
        var token = await op.Client.GetOpaqueTokenAsync(user);

        var (status, introspection) = await IntrospectAsync(op, token, OidcProviderFixture.ApiClientSecret);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(introspection.GetProperty("active").GetBoolean(), Is.True);
            Assert.That(introspection.GetProperty("sub").GetString(), Is.EqualTo(user));
            Assert.That(introspection.GetProperty("iss").GetString(), Is.EqualTo(op.Issuer));
            Assert.That(introspection.GetProperty("client_id").GetString(), Is.EqualTo(OidcProviderFixture.AppClientId));
            Assert.That(introspection.GetProperty("scope").GetString(), Does.Contain("groups"));
            Assert.That(introspection.GetProperty("exp").GetInt64(), Is.GreaterThan(introspection.GetProperty("iat").GetInt64()));
        });
    }

    [Test]
    public async Task Introspection_WrongClientSecret_Unauthorized()
    {
        var op = await OidcProviders.TrustedAsync();
        var token = await op.Client.GetOpaqueTokenAsync(OidcProviderFixture.Alice);

        var (status, answer) = await IntrospectAsync(op, token, "wrong-secret");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(answer.GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
        });
    }

    [Test]
    public async Task GetTokensAsync_ConfidentialClient_TokenIsIssuedToIt()
    {
        var op = await OidcProviders.TrustedAsync();

        var tokens = await op.Client.GetTokensAsync(OidcProviderFixture.Bob, clientId: OidcProviderFixture.ApiClientId);
        var (_, introspection) = await IntrospectAsync(op, tokens.AccessToken, OidcProviderFixture.ApiClientSecret);

        Assert.Multiple(() =>
        {
            Assert.That(tokens.TokenType, Is.EqualTo("Bearer"));
            Assert.That(tokens.IdToken, Is.Not.Null);
            Assert.That(introspection.GetProperty("client_id").GetString(), Is.EqualTo(OidcProviderFixture.ApiClientId));
        });
    }

    [Test]
    public async Task Jwks_ListsTheEncryptionKeyFirstThenSigningKeys()
    {
        var op = await OidcProviders.TrustedAsync();
        var jwksUri = await op.Client.GetEndpointAsync("jwks_uri");

        using var response = await op.Client.Http.GetAsync(jwksUri);
        using var jwks = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var keys = jwks.RootElement.GetProperty("keys").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(keys.Select(k => k.GetProperty("kid").GetString()), Is.EqualTo(new[] { "enc-rsa", "sig-rs256", "sig-es256", "sig-eddsa" }));
            Assert.That(keys[0].GetProperty("use").GetString(), Is.EqualTo("enc"));
            Assert.That(keys[0].GetProperty("kty").GetString(), Is.EqualTo("RSA"));
            Assert.That(keys.Skip(1).Select(k => k.GetProperty("use").GetString()), Is.All.EqualTo("sig"));
            Assert.That(keys.Where(k => k.TryGetProperty("d", out _)), Is.Empty, "no private key material is published");
        });
    }

    [Test]
    public async Task ExpiredTokens_ShortLivedOp_RejectedByUserinfoAndIntrospection()
    {
        var expired = await OidcProviders.ExpiredTokensAsync();

        var (userinfoStatus, _) = await GetUserinfoAsync(expired.Op, expired.Opaque);
        var (_, introspection) = await IntrospectAsync(expired.Op, expired.Opaque, OidcProviderFixture.ApiClientSecret);

        Assert.Multiple(() =>
        {
            Assert.That(expired.UserinfoBeforeExpiry, Is.EqualTo(HttpStatusCode.OK), "the token worked before it expired");
            Assert.That(userinfoStatus, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(introspection.GetProperty("active").GetBoolean(), Is.False);
            Assert.That(
                JwtPart(expired.Jwt, 1).GetProperty("exp").GetInt64() - JwtPart(expired.Jwt, 1).GetProperty("iat").GetInt64(),
                Is.EqualTo((long)OidcProviders.ShortLifetime.TotalSeconds));
        });
    }

    [Test]
    public async Task UntrustedOp_IsIndependentOfTheTrustedOne()
    {
        var trusted = await OidcProviders.TrustedAsync();
        var untrusted = await OidcProviders.UntrustedAsync();
        var token = await trusted.Client.GetOpaqueTokenAsync(OidcProviderFixture.Alice);

        var (status, _) = await GetUserinfoAsync(untrusted, token);
        var untrustedJwt = await untrusted.Client.GetJwtAsync(OidcProviderFixture.Alice);

        Assert.Multiple(() =>
        {
            Assert.That(untrusted.Issuer, Is.Not.EqualTo(trusted.Issuer));
            Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(JwtPart(untrustedJwt, 1).GetProperty("iss").GetString(), Is.EqualTo(untrusted.Issuer));
        });
    }

    internal static JsonElement JwtPart(string token, int index)
    {
        var parts = token.Split('.');
        Assert.That(parts, Has.Length.EqualTo(3), "a JWS in compact form");
        using var document = JsonDocument.Parse(WebEncoders.Base64UrlDecode(parts[index]));
        return document.RootElement.Clone();
    }

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> GetUserinfoAsync(OidcProviderFixture op, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, await op.Client.GetEndpointAsync("userinfo_endpoint"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await SendAsync(op, request);
    }

    internal static async Task<(HttpStatusCode Status, JsonElement Body)> IntrospectAsync(OidcProviderFixture op, string token, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, await op.Client.GetEndpointAsync("introspection_endpoint"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }),
        };
        request.Headers.Authorization = OidcFlowClient.BasicAuthentication(OidcProviderFixture.ApiClientId, secret);
        return await SendAsync(op, request);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(OidcProviderFixture op, HttpRequestMessage request)
    {
        using var response = await op.Client.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();
}
