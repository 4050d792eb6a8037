using System.Text.Json.Nodes;
using Flaat.Testing;
using Flaat.Tokens;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Flaat.Tests.Core.Tokens;

/// <summary>flaat's <c>FlaatPyJWKClient</c>: the keys of one JWKS, on their own, against the fake OP (whose JWKS lists an encryption key first).</summary>
public sealed class FlaatJwksClientTests
{
    private FakeOpenIdProvider _op = null!;
    private FlaatJwksClient _client = null!;

    [SetUp]
    public void SetUp()
    {
        _op = FakeOpenIdProvider.Start();
        _client = new FlaatJwksClient(new Uri(_op.JwksUri));
    }

    [TearDown]
    public void TearDown()
    {
        _client.Dispose();
        _op.Dispose();
    }

    [Test]
    public async Task GetSigningKeysAsync_JwksWithEncryptionKeyFirst_ReturnsOnlyTheSigningKeys()
    {
        var published = await PublishedKeysAsync();

        var keys = await _client.GetSigningKeysAsync();

        Assert.That(published[0]!["use"]!.GetValue<string>(), Is.EqualTo("enc"), "the fake OP lists its encryption key first");
        Assert.That(keys.Select(k => k.KeyId), Is.EqualTo(_op.SigningKeys.Select(k => k.KeyId)));
        Assert.That(keys.Select(k => k.KeyType), Is.EqualTo(new[] { "RSA", "EC", "OKP" }));
    }

    [Test]
    public async Task GetSigningKeyAsync_KnownKid_ReturnsThatKey()
    {
        var es256 = _op.GetSigningKey(FakeSigningKey.ES256);

        var key = await _client.GetSigningKeyAsync(es256.KeyId);

        Assert.That(key.KeyId, Is.EqualTo(es256.KeyId));
        Assert.That(key.KeyType, Is.EqualTo("EC"));
        Assert.That(key.Curve, Is.EqualTo("P-256"));
    }

    [Test]
    public async Task GetSigningKeyAsync_KidOfTheEncryptionKey_NotFound()
    {
        var encKid = (await PublishedKeysAsync())[0]!["kid"]!.GetValue<string>();

        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => _client.GetSigningKeyAsync(encKid));

        Assert.That(thrown!.Message, Is.EqualTo($"No signing key with id '{encKid}' found at {_op.JwksUri}"));
    }

    [TestCase("RS256", "RSA", null)]
    [TestCase("ES256", "EC", "P-256")]
    [TestCase("EdDSA", "OKP", "Ed25519")]
    public async Task GetSigningKeyByAlgorithmAsync_Algorithm_KeyTypeInferred(string algorithm, string keyType, string? curve)
    {
        var key = await _client.GetSigningKeyByAlgorithmAsync(algorithm);

        Assert.That(key.KeyType, Is.EqualTo(keyType));
        Assert.That(key.Curve, Is.EqualTo(curve));
        Assert.That(key.Fits(algorithm), Is.True);
    }

    [Test]
    public void GetSigningKeyByAlgorithmAsync_NoKeyOfThatType_Throws()
    {
        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => _client.GetSigningKeyByAlgorithmAsync("ES384"));

        Assert.That(thrown!.Message, Is.EqualTo($"No key at {_op.JwksUri} fits algorithm ES384"));
    }

    [TestCase("HS256", "HMAC")]
    [TestCase("none", "alg none")]
    public void GetSigningKeyByAlgorithmAsync_HmacOrNone_RefusedWithoutFetching(string algorithm, string reason)
    {
        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => _client.GetSigningKeyByAlgorithmAsync(algorithm));

        Assert.That(thrown!.Message, Does.Contain(reason));
        Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Jwks), Is.Zero);
    }

    [Test]
    public async Task GetSigningKeyFromJwtAsync_WithKid_ReturnsTheNamedKey()
    {
        var token = _op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { Algorithm = FakeSigningKey.EdDSA });

        var key = await _client.GetSigningKeyFromJwtAsync(token);

        Assert.That(key.KeyId, Is.EqualTo(_op.GetSigningKey(FakeSigningKey.EdDSA).KeyId));
    }

    [Test]
    public async Task GetSigningKeyFromJwtAsync_WithoutKid_KeyFoundByAlgorithm()
    {
        var token = _op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { Algorithm = FakeSigningKey.ES256, IncludeKeyId = false });

        var key = await _client.GetSigningKeyFromJwtAsync(token);

        Assert.That(key.KeyId, Is.EqualTo(_op.GetSigningKey(FakeSigningKey.ES256).KeyId));
    }

    [Test]
    public async Task GetSigningKeyFromJwtAsync_RsaKey_VerifiesWithIdentityModelOnItsOwn()
    {
        var token = _op.CreateJwt(new FakeUser("alice"));
        var key = await _client.GetSigningKeyFromJwtAsync(token);

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = key.SecurityKey,
            ValidIssuer = _op.Issuer,
            ValidateAudience = false,
        });

        Assert.That(result.IsValid, Is.True, result.Exception?.Message);
    }

    [TestCase(FakeSigningKey.RS256)]
    [TestCase(FakeSigningKey.ES256)]
    [TestCase(FakeSigningKey.EdDSA)]
    public async Task VerifyAsync_TokenOfTheOp_VerifiedWithItsAlgorithm(string algorithm)
    {
        var token = _op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { Algorithm = algorithm });

        var info = await _client.VerifyAsync(token);

        Assert.That(info.VerificationAlgorithm, Is.EqualTo(algorithm));
        Assert.That(info.Body["sub"].GetString(), Is.EqualTo("alice"));
    }

    [Test]
    public void VerifyAsync_TamperedBody_Rejected()
    {
        var parts = _op.CreateJwt(new FakeUser("alice")).Split('.');
        var forged = parts[0] + "." + EngineTestKit.B64(System.Text.Encoding.UTF8.GetBytes($$"""{"iss":"{{_op.Issuer}}","sub":"admin"}""")) + "." + parts[2];

        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => _client.VerifyAsync(forged));

        Assert.That(thrown!.Message, Is.EqualTo("Signature verification failed"));
    }

    [Test]
    public void VerifyAsync_ExpiredToken_Rejected()
    {
        var token = _op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { ExpiresAt = DateTimeOffset.UtcNow.AddMinutes(-5) });

        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => _client.VerifyAsync(token));

        Assert.That(thrown!.Message, Is.EqualTo("Token has expired"));
    }

    [Test]
    public async Task VerifyAsync_KeysRotated_UnknownKidFetchesTheKeysOnceMore()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var client = new FlaatJwksClient(new Uri(_op.JwksUri), timeProvider: time);
        await client.VerifyAsync(_op.CreateJwt(new FakeUser("alice")));
        _op.RotateKeys();
        time.Advance(TimeSpan.FromMinutes(1));

        var info = await client.VerifyAsync(_op.CreateJwt(new FakeUser("alice")));
        await client.VerifyAsync(_op.CreateJwt(new FakeUser("bob")));

        Assert.That(info.IsVerified, Is.True);
        Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Jwks), Is.EqualTo(2));
    }

    [Test]
    public async Task GetSigningKeysAsync_CachedWithinTheLifetime_FetchedOnce()
    {
        await _client.GetSigningKeysAsync();
        await _client.GetSigningKeyByAlgorithmAsync("RS256");
        await _client.GetSigningKeyAsync(_op.GetSigningKey(FakeSigningKey.RS256).KeyId);

        Assert.That(_op.RequestCount(FakeOpenIdEndpoint.Jwks), Is.EqualTo(1));
    }

    [Test]
    public void GetSigningKeysAsync_OpDown_ThrowsUnavailable()
    {
        _op.SimulateDown(FakeOpenIdEndpoint.Jwks);

        var thrown = Assert.ThrowsAsync<FlaatUnavailableException>(() => _client.GetSigningKeysAsync());

        Assert.That(thrown!.StatusCode, Is.EqualTo(503));
    }

    [Test]
    public void GetSigningKeysAsync_NotAKeySet_ThrowsFlaatException()
    {
        _op.ServeDocument(FakeOpenIdEndpoint.Jwks, """{"keys":"none"}""");

        var thrown = Assert.ThrowsAsync<FlaatException>(() => _client.GetSigningKeysAsync());

        Assert.That(thrown!.StatusCode, Is.EqualTo(500));
    }

    private async Task<JsonArray> PublishedKeysAsync()
    {
        using var http = new HttpClient();
        var jwks = JsonNode.Parse(await http.GetStringAsync(new Uri(_op.JwksUri)))!;
        _op.ResetRequestCounts();
        return jwks["keys"]!.AsArray();
    }
}
