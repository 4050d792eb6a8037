using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Flaat.Engine;
using Flaat.Testing;

namespace Flaat.Tests.Core.Tokens;

public sealed class JwtVerificationTests
{
    private FakeOpenIdProvider _op = null!;

    [SetUp]
    public void StartOp() => _op = FakeOpenIdProvider.Start();

    [TearDown]
    public void StopOp() => _op.Dispose();

    private FlaatAuthenticator OfflineEngine()
    {
        var options = EngineTestKit.OptionsFor(_op);
        options.TokenClaimsSuffice = true;
        return new FlaatAuthenticator(options);
    }

    [TestCase("RS256")]
    [TestCase("RS384")]
    [TestCase("RS512")]
    [TestCase("PS256")]
    [TestCase("PS384")]
    [TestCase("PS512")]
    [TestCase("ES256")]
    [TestCase("ES384")]
    [TestCase("ES512")]
    [TestCase("ES256K")]
    [TestCase("EdDSA")]
    public async Task AuthenticateAsync_TokenSignedWithSupportedAlgorithm_IsVerified(string algorithm)
    {
        var key = TestKey.Create(algorithm);
        EngineTestKit.ServeJwks(_op, key.Jwk);
        using var engine = OfflineEngine();
        var token = key.CreateToken(EngineTestKit.Payload(_op.Issuer));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error, Is.Null);
        Assert.That(result.UserInfos!.AccessTokenInfo!.VerificationAlgorithm, Is.EqualTo(algorithm));
        Assert.That(result.UserInfos.Subject, Is.EqualTo("alice"));
        Assert.That(result.IsTokenOnly, Is.True);
    }

    [TestCase("RS256")]
    [TestCase("PS384")]
    [TestCase("ES512")]
    [TestCase("ES256K")]
    [TestCase("EdDSA")]
    public async Task AuthenticateAsync_TamperedPayload_SignatureVerificationFails(string algorithm)
    {
        var key = TestKey.Create(algorithm);
        EngineTestKit.ServeJwks(_op, key.Jwk);
        using var engine = OfflineEngine();
        var token = key.CreateToken(EngineTestKit.Payload(_op.Issuer, "alice"));
        var parts = token.Split('.');
        var forged = EngineTestKit.Payload(_op.Issuer, "mallory");
        var tampered = parts[0] + "." + EngineTestKit.B64(Encoding.UTF8.GetBytes(forged.ToJsonString())) + "." + parts[2];

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(tampered));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo("Signature verification failed"));
    }

    [TestCase(FakeSigningKey.RS256)]
    [TestCase(FakeSigningKey.ES256)]
    [TestCase(FakeSigningKey.EdDSA)]
    public async Task AuthenticateAsync_JwtOfFakeOp_VerifiedAndUserInfoAsked(string algorithm)
    {
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));
        var user = new FakeUser("bob").WithClaim("email", "bob@example.org");
        var token = _op.CreateJwt(user, new FakeTokenOptions { Algorithm = algorithm });

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error, Is.Null);
        Assert.Multiple(() =>
        {
            Assert.That(result.UserInfos!.AccessTokenInfo!.VerificationAlgorithm, Is.EqualTo(algorithm));
            Assert.That(result.UserInfos.GetString("email"), Is.EqualTo("bob@example.org"));
            Assert.That(result.UserInfos.Issuer, Is.EqualTo(_op.Issuer));
            Assert.That(result.IsTokenOnly, Is.False);
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task AuthenticateAsync_ExpiredJwt_RejectedWithoutAskingTheOp()
    {
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));
        var token = _op.CreateJwt(new FakeUser("bob"), new FakeTokenOptions { ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-5) });

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo("Token has expired"));
        Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo) + _op.RequestCount(FakeOpenIdEndpoint.Jwks), Is.Zero);
    }

    [Test]
    public async Task AuthenticateAsync_ExpiredWithinClockSkew_Accepted()
    {
        var options = EngineTestKit.OptionsFor(_op);
        options.ClockSkew = TimeSpan.FromMinutes(2);
        using var engine = new FlaatAuthenticator(options);
        var token = _op.CreateJwt(new FakeUser("bob"), new FakeTokenOptions { ExpiresAt = DateTimeOffset.UtcNow.AddSeconds(-30) });
        // The fake OP itself refuses expired tokens at userinfo: serve userinfo regardless.
        _op.ServeDocument(FakeOpenIdEndpoint.UserInfo, """{"sub":"bob"}""");

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error, Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_NotYetValidJwt_Rejected()
    {
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));
        var token = _op.CreateJwt(new FakeUser("bob"), new FakeTokenOptions { NotBefore = DateTimeOffset.UtcNow.AddMinutes(10) });

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Is.EqualTo("Token is not valid yet"));
    }

    [Test]
    public async Task AuthenticateAsync_AlgNone_Rejected()
    {
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));
        var header = new JsonObject { ["alg"] = "none", ["typ"] = "JWT" };
        var token = EngineTestKit.Sign(header, EngineTestKit.Payload(_op.Issuer), _ => []);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Does.Contain("alg none"));
        Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero);
    }

    [TestCase("HS256")]
    [TestCase("hs256")]
    public async Task AuthenticateAsync_HmacKeyedWithPublicRsaKey_Rejected(string alg)
    {
        // The classic algorithm confusion: HS256 with the OP's public key (as published) as the secret.
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));
        var rsaKey = _op.GetSigningKey(FakeSigningKey.RS256);
        var secret = rsaKey.Rsa!.ExportSubjectPublicKeyInfo();
        var header = new JsonObject { ["alg"] = alg, ["kid"] = rsaKey.KeyId };
        var token = EngineTestKit.Sign(header, EngineTestKit.Payload(_op.Issuer), data => HMACSHA256.HashData(secret, data));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Does.StartWith($"Algorithm {alg} is not accepted: HMAC"));
    }

    [Test]
    public async Task AuthenticateAsync_HeaderAlgDoesNotFitTheKidsKey_Rejected()
    {
        // An RS256 signature presented as ES256 under the RSA key's kid.
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));
        var rsaKey = _op.GetSigningKey(FakeSigningKey.RS256);
        var header = new JsonObject { ["alg"] = "ES256", ["kid"] = rsaKey.KeyId };
        var token = EngineTestKit.Sign(header, EngineTestKit.Payload(_op.Issuer), data => rsaKey.Sign(data));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        Assert.That(result.Error!.Description, Does.Contain("does not fit algorithm ES256"));
    }

    [Test]
    public async Task AuthenticateAsync_NoKid_EveryKeyOfTheTypeIsTried()
    {
        var first = TestKey.Create("RS256");
        var second = TestKey.Create("RS256");
        EngineTestKit.ServeJwks(_op, first.Jwk, second.Jwk);
        using var engine = OfflineEngine();
        var token = second.CreateToken(EngineTestKit.Payload(_op.Issuer), includeKeyId: false);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error, Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_NoKidAndNoKeyVerifies_Rejected()
    {
        EngineTestKit.ServeJwks(_op, TestKey.Create("RS256").Jwk);
        using var engine = OfflineEngine();
        var token = TestKey.Create("RS256").CreateToken(EngineTestKit.Payload(_op.Issuer), includeKeyId: false);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error!.Description, Is.EqualTo("Signature verification failed"));
    }

    [Test]
    public async Task AuthenticateAsync_KidOfAnEncryptionKey_NotUsedForVerification()
    {
        // Keycloak publishes enc keys beside sig keys (flaat PR #55); a token "signed" with one must fail.
        var encryption = TestKey.Create("RS256");
        encryption.Jwk["use"] = "enc";
        var signing = TestKey.Create("RS256");
        EngineTestKit.ServeJwks(_op, encryption.Jwk, signing.Jwk);
        using var engine = OfflineEngine();

        var withEncKey = await engine.AuthenticateAsync(new AuthenticationRequest(encryption.CreateToken(EngineTestKit.Payload(_op.Issuer))));
        var withSigKey = await engine.AuthenticateAsync(new AuthenticationRequest(signing.CreateToken(EngineTestKit.Payload(_op.Issuer))));

        Assert.That(withEncKey.Error?.Description, Is.EqualTo($"No key with id '{encryption.KeyId}' found at issuer {_op.Issuer}"));
        Assert.That(withSigKey.Error, Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_FakeOpWithEncKeyFirst_KidlessTokenStillVerifies()
    {
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));
        var token = _op.CreateJwt(new FakeUser("bob"), new FakeTokenOptions { IncludeKeyId = false });

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.Error, Is.Null);
    }

    [Test]
    public async Task AuthenticateAsync_UnknownKidAfterRotation_OneRefreshThenVerified()
    {
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));
        var before = await engine.AuthenticateAsync(new AuthenticationRequest(_op.CreateJwt(new FakeUser("bob"))));
        _op.RotateKeys();
        var rotatedToken = _op.CreateJwt(new FakeUser("carol"));

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => engine.AuthenticateAsync(new AuthenticationRequest(rotatedToken)).AsTask()));

        Assert.That(before.Error, Is.Null);
        Assert.That(results.Select(r => r.Error), Is.All.Null);
        Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Jwks), Is.EqualTo(2));
    }

    [Test]
    public async Task AuthenticateAsync_RotatedKeyWhileJwksUnreachable_503NotUnknownKey()
    {
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));
        var before = await engine.AuthenticateAsync(new AuthenticationRequest(_op.CreateJwt(new FakeUser("bob"))));
        _op.RotateKeys();
        _op.SimulateUnreachable(FakeOpenIdEndpoint.Jwks);
        var rotatedToken = _op.CreateJwt(new FakeUser("carol"));

        var during = await engine.AuthenticateAsync(new AuthenticationRequest(rotatedToken));
        var rateLimited = await engine.AuthenticateAsync(new AuthenticationRequest(_op.CreateJwt(new FakeUser("dave"))));

        Assert.That(before.Error, Is.Null);
        Assert.That(during.Error?.StatusCode, Is.EqualTo(503), during.Error?.Description);
        Assert.That(rateLimited.Error?.StatusCode, Is.EqualTo(503), "a refresh that failed is no verdict on the key, rate-limited or not");
    }

    [Test]
    public async Task AuthenticateAsync_UnknownKidTwiceWithinInterval_SecondRefreshIsRateLimited()
    {
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(_op));
        await engine.AuthenticateAsync(new AuthenticationRequest(_op.CreateJwt(new FakeUser("bob"))));
        var stranger1 = TestKey.Create("RS256").CreateToken(EngineTestKit.Payload(_op.Issuer));
        var stranger2 = TestKey.Create("RS256").CreateToken(EngineTestKit.Payload(_op.Issuer));

        var first = await engine.AuthenticateAsync(new AuthenticationRequest(stranger1));
        var second = await engine.AuthenticateAsync(new AuthenticationRequest(stranger2));

        Assert.That(first.Error!.Description, Does.StartWith("No key with id"));
        Assert.That(second.Error!.Description, Does.StartWith("No key with id"));
        Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Jwks), Is.EqualTo(2), "one initial fetch and one refresh");
    }

    [Test]
    public async Task AuthenticateAsync_VerifyJwtOff_ClaimsUsedUnverified()
    {
        var options = EngineTestKit.OptionsFor(_op);
        options.VerifyJwt = false;
        using var engine = new FlaatAuthenticator(options);
        var token = _op.CreateJwt(new FakeUser("bob"));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.UserInfos!.AccessTokenInfo!.IsVerified, Is.False);
        Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Jwks), Is.Zero);
    }
}
