using System.Text.Json.Nodes;
using Flaat.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Flaat.Tests.Testing;

public sealed class FakeOpenIdProviderDocumentTests
{
    private static readonly FakeUser Alice = new FakeUser("alice").WithClaim("email", "alice@example.org");
    private FakeOpenIdProvider _op = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public void StartProvider()
    {
        _op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { PathPrefix = "/realms/test", ClientId = "api", ClientSecret = "s3cret" });
        _http = new HttpClient();
    }

    [OneTimeTearDown]
    public void StopProvider()
    {
        _http.Dispose();
        _op.Dispose();
    }

    [Test]
    public void Issuer_WithPathPrefix_IsLoopbackUrlWithPathAndNoTrailingSlash()
    {
        var issuer = new Uri(_op.Issuer);

        Assert.Multiple(() =>
        {
            Assert.That(issuer.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(issuer.Port, Is.GreaterThan(0));
            Assert.That(issuer.AbsolutePath, Is.EqualTo("/realms/test"));
            Assert.That(_op.Issuer, Does.Not.EndWith("/"));
        });
    }

    [Test]
    public async Task Start_FixedPort_IssuerUsesItAndDiscoveryAnswersThere()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { Port = port });
        var doc = await _http.GetJsonAsync($"http://127.0.0.1:{port}/.well-known/openid-configuration");

        Assert.Multiple(() =>
        {
            Assert.That(op.Issuer, Is.EqualTo($"http://127.0.0.1:{port}"));
            Assert.That((string?)doc["issuer"], Is.EqualTo(op.Issuer));
        });
    }

    [TestCase(-1)]
    [TestCase(65536)]
    public void Start_PortOutOfRange_ThrowsNamingTheSetting(int port)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { Port = port }));

        Assert.That(error!.Message, Does.Contain("FakeOpenIdProviderOptions.Port"));
    }

    [Test]
    public async Task Discovery_Get_ListsIssuerAndEndpointsBelowIt()
    {
        var doc = await _http.GetJsonAsync(_op.Issuer + "/.well-known/openid-configuration");

        Assert.Multiple(() =>
        {
            Assert.That((string?)doc["issuer"], Is.EqualTo(_op.Issuer));
            Assert.That((string?)doc["jwks_uri"], Is.EqualTo(_op.JwksUri).And.StartsWith(_op.Issuer + "/"));
            Assert.That((string?)doc["userinfo_endpoint"], Is.EqualTo(_op.UserInfoEndpoint).And.StartsWith(_op.Issuer + "/"));
            Assert.That((string?)doc["introspection_endpoint"], Is.EqualTo(_op.IntrospectionEndpoint).And.StartsWith(_op.Issuer + "/"));
            Assert.That(_op.DiscoveryEndpoint, Is.EqualTo(_op.Issuer + "/.well-known/openid-configuration"));
        });
    }

    [Test]
    public async Task Discovery_WithoutClientCredentials_HasNoIntrospectionEndpoint()
    {
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { SigningAlgorithms = ["ES256"] });

        var doc = await _http.GetJsonAsync(op.DiscoveryEndpoint);

        Assert.Multiple(() =>
        {
            Assert.That(op.Issuer, Does.Match(@"^http://127\.0\.0\.1:\d+$"));
            Assert.That(doc.ContainsKey("introspection_endpoint"), Is.False);
            Assert.That(op.IntrospectionEndpoint, Is.Null);
        });
    }

    [Test]
    public async Task Jwks_Get_ListsEncryptionKeyFirstThenOneSigningKeyPerAlgorithm()
    {
        var keys = (await _http.GetJsonAsync(_op.JwksUri))["keys"]!.AsArray().Select(k => k!.AsObject()).ToList();

        Assert.That(keys, Has.Count.EqualTo(4));
        Assert.Multiple(() =>
        {
            Assert.That((string?)keys[0]["use"], Is.EqualTo("enc"));
            Assert.That((string?)keys[0]["kty"], Is.EqualTo("RSA"));
            Assert.That(keys.Skip(1).Select(k => (string?)k["use"]), Is.All.EqualTo("sig"));
            Assert.That(keys.Skip(1).Select(k => (string?)k["alg"]), Is.EqualTo(new[] { "RS256", "ES256", "EdDSA" }));
            Assert.That(keys.Skip(1).Select(k => (string?)k["kty"]), Is.EqualTo(new[] { "RSA", "EC", "OKP" }));
            Assert.That((string?)keys[2]["crv"], Is.EqualTo("P-256"));
            Assert.That((string?)keys[3]["crv"], Is.EqualTo("Ed25519"));
            Assert.That(keys.Select(k => (string?)k["kid"]), Is.Unique.And.None.Null);
            Assert.That(keys.Skip(1).Select(k => (string?)k["kid"]), Is.EqualTo(_op.SigningKeys.Select(k => k.KeyId)));
            Assert.That(keys.SelectMany(k => k.Select(p => p.Key)), Has.None.AnyOf("d", "p", "q", "dp", "dq", "qi"), "no private parts");
        });
    }

    [TestCase("RS256")]
    [TestCase("ES256")]
    [TestCase("EdDSA")]
    public async Task CreateJwt_EachAlgorithm_SignatureVerifiesWithPublishedJwkOfItsKid(string alg)
    {
        var jwt = _op.CreateJwt(Alice, new FakeTokenOptions { Algorithm = alg });
        var keys = (await _http.GetJsonAsync(_op.JwksUri))["keys"]!.AsArray().Select(k => k!.AsObject()).ToList();

        var header = Jwts.Header(jwt);
        var jwk = keys.Single(k => (string?)k["kid"] == (string?)header["kid"]);

        Assert.Multiple(() =>
        {
            Assert.That((string?)header["alg"], Is.EqualTo(alg));
            Assert.That((string?)jwk["alg"], Is.EqualTo(alg));
            Assert.That(Jwts.Verifies(jwt, jwk), Is.True);
            Assert.That(keys.Where(k => k != jwk && (string?)k["use"] == "sig").Any(k => (string?)k["kty"] == (string?)jwk["kty"] && Jwts.Verifies(jwt, k)), Is.False);
        });
    }

    [TestCase("RS256")]
    [TestCase("ES256")]
    [TestCase("EdDSA")]
    public void CreateJwt_TamperedPayload_NoLongerVerifies(string alg)
    {
        var jwt = _op.CreateJwt(Alice, new FakeTokenOptions { Algorithm = alg });
        var parts = jwt.Split('.');
        var payload = Jwts.Payload(jwt);
        payload["sub"] = "mallory";
        var tampered = parts[0] + "." + System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(payload.ToJsonString())) + "." + parts[2];

        var jwk = _op.GetSigningKey(alg).ToJsonWebKey();

        Assert.Multiple(() =>
        {
            Assert.That(Jwts.Verifies(jwt, jwk), Is.True);
            Assert.That(Jwts.Verifies(tampered, jwk), Is.False);
        });
    }

    [TestCase("RS256")]
    [TestCase("ES256")]
    public async Task CreateJwt_RsaAndEcdsa_ValidatesWithMicrosoftIdentityModelAgainstPublishedJwks(string alg)
    {
        var jwt = _op.CreateJwt(Alice, new FakeTokenOptions { Algorithm = alg, Audiences = { "my-api" } });
        using var response = await _http.GetAsync(new Uri(_op.JwksUri));
        var jwks = new JsonWebKeySet(await response.Content.ReadAsStringAsync());

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = _op.Issuer,
            ValidAudience = "my-api",
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidTypes = ["at+jwt"],
        });

        Assert.That(result.IsValid, Is.True, result.Exception?.Message);
        Assert.That(result.Claims["sub"], Is.EqualTo("alice"));
    }

    [Test]
    public void CreateJwt_Defaults_HasStandardClaimsAndNoUserClaims()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var jwt = _op.CreateJwt(Alice);

        var header = Jwts.Header(jwt);
        var payload = Jwts.Payload(jwt);
        Assert.Multiple(() =>
        {
            Assert.That((string?)header["alg"], Is.EqualTo("RS256"));
            Assert.That((string?)header["typ"], Is.EqualTo("at+jwt"));
            Assert.That((string?)header["kid"], Is.EqualTo(_op.GetSigningKey("RS256").KeyId));
            Assert.That((string?)payload["iss"], Is.EqualTo(_op.Issuer));
            Assert.That((string?)payload["sub"], Is.EqualTo("alice"));
            Assert.That((string?)payload["client_id"], Is.EqualTo("api"));
            Assert.That((string?)payload["jti"], Is.Not.Empty);
            Assert.That((long)payload["iat"]!, Is.InRange(before - 5, before + 5));
            Assert.That((long)payload["exp"]! - (long)payload["iat"]!, Is.EqualTo(3600));
            Assert.That(payload.ContainsKey("aud"), Is.False);
            Assert.That(payload.ContainsKey("nbf"), Is.False);
            Assert.That(payload.ContainsKey("email"), Is.False);
        });
    }

    [Test]
    public void CreateJwt_AllOptions_AppearInHeaderAndPayload()
    {
        var iat = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var options = new FakeTokenOptions
        {
            Algorithm = "ES256",
            IncludeKeyId = false,
            IssuedAt = iat,
            NotBefore = iat.AddMinutes(1),
            Lifetime = TimeSpan.FromMinutes(5),
            Audiences = { "a", "b" },
            Scope = "openid email",
            ClientId = "other-client",
            Issuer = "https://elsewhere.example",
            IncludeUserClaims = true,
            Claims = { ["acr"] = "mfa", ["levels"] = new[] { 1, 2 }, ["jti"] = null },
            HeaderParameters = { ["typ"] = null, ["cty"] = "x" },
        };

        var jwt = _op.CreateJwt(Alice, options);

        var header = Jwts.Header(jwt);
        var payload = Jwts.Payload(jwt);
        Assert.Multiple(() =>
        {
            Assert.That(header.ContainsKey("kid"), Is.False);
            Assert.That(header.ContainsKey("typ"), Is.False);
            Assert.That((string?)header["cty"], Is.EqualTo("x"));
            Assert.That(payload.ContainsKey("jti"), Is.False);
            Assert.That((long)payload["iat"]!, Is.EqualTo(iat.ToUnixTimeSeconds()));
            Assert.That((long)payload["nbf"]!, Is.EqualTo(iat.AddMinutes(1).ToUnixTimeSeconds()));
            Assert.That((long)payload["exp"]!, Is.EqualTo(iat.AddMinutes(5).ToUnixTimeSeconds()));
            Assert.That(payload["aud"]!.AsArray().Select(a => (string?)a), Is.EqualTo(new[] { "a", "b" }));
            Assert.That((string?)payload["scope"], Is.EqualTo("openid email"));
            Assert.That((string?)payload["client_id"], Is.EqualTo("other-client"));
            Assert.That((string?)payload["iss"], Is.EqualTo("https://elsewhere.example"));
            Assert.That((string?)payload["email"], Is.EqualTo("alice@example.org"));
            Assert.That((string?)payload["acr"], Is.EqualTo("mfa"));
            Assert.That(payload["levels"]!.AsArray().Select(a => (int)a!), Is.EqualTo(new[] { 1, 2 }));
            Assert.That(Jwts.Verifies(jwt, _op.GetSigningKey("ES256").ToJsonWebKey()), Is.True);
        });
    }

    [Test]
    public void CreateJwt_SingleAudienceAndExplicitExpiry_AudIsStringAndExpAsGiven()
    {
        var exp = new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero);

        var payload = Jwts.Payload(_op.CreateJwt(Alice, new FakeTokenOptions { Audiences = { "only" }, ExpiresAt = exp }));
        var noExp = Jwts.Payload(_op.CreateJwt(Alice, new FakeTokenOptions { IncludeExpiry = false }));

        Assert.Multiple(() =>
        {
            Assert.That(payload["aud"]!.GetValueKind(), Is.EqualTo(System.Text.Json.JsonValueKind.String));
            Assert.That((string?)payload["aud"], Is.EqualTo("only"));
            Assert.That((long)payload["exp"]!, Is.EqualTo(exp.ToUnixTimeSeconds()));
            Assert.That(noExp.ContainsKey("exp"), Is.False);
        });
    }

    [Test]
    public void GetSigningKey_AlgorithmNotConfigured_ThrowsNamingTheSetting()
    {
        Assert.That(() => _op.GetSigningKey("HS256"), Throws.ArgumentException.With.Message.Contains("SigningAlgorithms"));
    }

    [Test]
    public async Task Start_OnlyEdDsa_PublishesEncryptionKeyAndTheOneSigningKey()
    {
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { SigningAlgorithms = ["EdDSA"] });

        var keys = (await _http.GetJsonAsync(op.JwksUri))["keys"]!.AsArray();

        Assert.Multiple(() =>
        {
            Assert.That(keys.Select(k => (string?)k!["use"]), Is.EqualTo(new[] { "enc", "sig" }));
            Assert.That(() => op.CreateJwt(Alice), Throws.ArgumentException);
            Assert.That(Jwts.Verifies(op.CreateJwt(Alice, new FakeTokenOptions { Algorithm = "EdDSA" }), keys[1]!.AsObject()), Is.True);
        });
    }

    [Test]
    public void Start_UnknownAlgorithmOrHalfCredentials_ThrowsNamingTheSetting()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { SigningAlgorithms = ["ES256", "PS256"] }),
                Throws.ArgumentException.With.Message.Contains("SigningAlgorithms"));
            Assert.That(() => FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { ClientId = "x" }),
                Throws.ArgumentException.With.Message.Contains("ClientSecret"));
        });
    }
}
