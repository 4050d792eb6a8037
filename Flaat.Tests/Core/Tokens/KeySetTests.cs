using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Flaat.Tokens;

namespace Flaat.Tests.Core.Tokens;

/// <summary>Which JWKs become verification keys, and how much work one token can cause with them.</summary>
public sealed class KeySetTests
{
    private static readonly KeyLimits Defaults = KeyLimits.From(new FlaatKeyOptions());

    private static KeySet Parse(KeyLimits limits, params JsonObject[] jwks) =>
        KeySet.TryParse(new JsonObject { ["keys"] = new JsonArray(jwks.Select(k => (JsonNode)k.DeepClone()).ToArray()) }.ToJsonString(), limits)!;

    private static DecodedJwt Decode(string token) => DecodedJwt.TryDecode(token, out _)!;

    [Test]
    public void TryParse_RsaKeyUnder2048Bits_LeftOut()
    {
        using var rsa = RSA.Create(1024);

        var keys = Parse(Defaults, EngineTestKit.RsaJwk(rsa, "small"));

        Assert.That(keys.Keys, Is.Empty);
        Assert.That(keys.Skipped, Is.EqualTo(1));
    }

    [Test]
    public void TryParse_RsaKeyOf1024BitsWhenTheMinimumIs1024_Kept()
    {
        using var rsa = RSA.Create(1024);

        var keys = Parse(Defaults with { MinimumRsaKeySize = 1024 }, EngineTestKit.RsaJwk(rsa, "small"));

        Assert.That(keys.Keys, Has.Count.EqualTo(1));
    }

    [Test]
    public void TryParse_RsaModulusWithLeadingZeroBytes_SizeCountsSignificantBitsOnly()
    {
        using var rsa = RSA.Create(1024);
        var jwk = EngineTestKit.RsaJwk(rsa, "padded");
        // 1024 bits padded with 128 zero bytes to look like 2048.
        jwk["n"] = EngineTestKit.B64([.. new byte[128], .. rsa.ExportParameters(false).Modulus!]);

        var keys = Parse(Defaults, jwk);

        Assert.That(keys.Keys, Is.Empty);
    }

    [TestCase(new[] { 0x01 }, 1)]
    [TestCase(new[] { 0x00, 0x80 }, 8)]
    [TestCase(new[] { 0x00, 0x00 }, 0)]
    [TestCase(new[] { 0x7F, 0x00 }, 15)]
    public void BitLength_BigEndian_SignificantBits(int[] number, int bits) =>
        Assert.That(SigningKey.BitLength(number.Select(b => (byte)b).ToArray()), Is.EqualTo(bits));

    [TestCase(new[] { "encrypt" }, false)]
    [TestCase(new[] { "sign" }, false)]
    [TestCase(new[] { "verify" }, true)]
    [TestCase(new[] { "sign", "verify" }, true)]
    public void TryParse_KeyOps_OnlyAVerifyKeyIsKept(string[] keyOps, bool kept)
    {
        var key = TestKey.Create("ES256");
        key.Jwk["key_ops"] = new JsonArray(keyOps.Select(op => (JsonNode)op).ToArray());

        var keys = Parse(Defaults, key.Jwk);

        Assert.That(keys.Keys, Has.Count.EqualTo(kept ? 1 : 0));
    }

    [Test]
    public void Candidates_KeyOfAnEncryptOnlyJwk_NeverVerifies()
    {
        var key = TestKey.Create("RS256");
        key.Jwk["key_ops"] = new JsonArray("encrypt");
        var jwt = Decode(key.CreateToken(EngineTestKit.Payload("https://op.example")));

        var candidates = Parse(Defaults, key.Jwk).Candidates(jwt.KeyId, jwt.Algorithm, out _);

        Assert.That(candidates, Is.Empty);
    }

    [Test]
    public void Candidates_JwkRestrictedToRs384_CannotVerifyRs256()
    {
        var key = TestKey.Create("RS256");
        key.Jwk["alg"] = "RS384";
        var keys = Parse(Defaults, key.Jwk);
        var jwt = Decode(key.CreateToken(EngineTestKit.Payload("https://op.example")));

        Assert.That(keys.Candidates(jwt.KeyId, "RS256", out _), Is.Empty);
        Assert.That(keys.Candidates(jwt.KeyId, "RS384", out _), Has.Count.EqualTo(1));
        Assert.That(keys.HasKeyId(key.KeyId), Is.True);
    }

    [Test]
    public void TryParse_MoreKeysThanTheCap_FirstOnesKeptRestIgnored()
    {
        var jwks = Enumerable.Range(0, 5).Select(i => EngineTestKit.EcJwk(ECDsa.Create(ECCurve.NamedCurves.nistP256), "k" + i, "P-256")).ToArray();

        var keys = Parse(Defaults with { MaxKeysPerSet = 3 }, jwks);

        Assert.That(keys.Keys.Select(k => k.KeyId), Is.EqualTo(new[] { "k0", "k1", "k2" }));
        Assert.That(keys.Ignored, Is.EqualTo(2));
        Assert.That(keys.Skipped, Is.Zero);
    }

    [Test]
    public void TryParse_DefaultCap_100KeysKept()
    {
        var jwk = EngineTestKit.EcJwk(ECDsa.Create(ECCurve.NamedCurves.nistP256), "k", "P-256");

        var keys = Parse(Defaults, Enumerable.Repeat(jwk, 101).ToArray());

        Assert.That(keys.Keys, Has.Count.EqualTo(100));
        Assert.That(keys.Ignored, Is.EqualTo(1));
    }

    [Test]
    public void Candidates_KidlessTokenAndMoreFittingKeysThanAttempts_Refused()
    {
        var jwks = Enumerable.Range(0, 4).Select(_ => TestKey.Create("ES256").Jwk).ToArray();
        var keys = Parse(Defaults, jwks);

        var candidates = keys.Candidates(null, "ES256", out var problem);

        Assert.That(candidates, Is.Null);
        Assert.That(problem, Does.StartWith("Token names no key (kid) and too many keys fit"));
        Assert.That(keys.Fitting(null, "ES256"), Has.Count.EqualTo(4), "key lookups (not verification) still see every key");
    }

    [Test]
    public void Candidates_KidlessTokenAndAsManyFittingKeysAsAttempts_AllTried()
    {
        var keys = Parse(Defaults, TestKey.Create("ES256").Jwk, TestKey.Create("ES256").Jwk, TestKey.Create("ES256").Jwk, TestKey.Create("RS256").Jwk);

        Assert.That(keys.Candidates(null, "ES256", out _), Has.Count.EqualTo(3));
    }

    [Test]
    public void Candidates_OneKidNamingMoreKeysThanAttempts_Refused()
    {
        var jwks = Enumerable.Range(0, 4).Select(_ => TestKey.Create("ES256", kid: "same").Jwk).ToArray();

        var candidates = Parse(Defaults, jwks).Candidates("same", "ES256", out var problem);

        Assert.That(candidates, Is.Null);
        Assert.That(problem, Does.StartWith("Token's key id names too many keys"));
    }

    // The key type and the curve must both match: a mutant with || instead of && fits a P-384 key to ES256.
    [TestCase("ES256", "EC", "P-384")]
    [TestCase("ES256", "OKP", "P-256")]
    [TestCase("ES384", "EC", "P-256")]
    [TestCase("ES384", "OKP", "P-384")]
    [TestCase("ES512", "EC", "P-384")]
    [TestCase("ES512", "OKP", "P-521")]
    [TestCase("ES256K", "EC", "P-256")]
    [TestCase("ES256K", "OKP", "secp256k1")]
    [TestCase("EdDSA", "OKP", "X25519")]
    [TestCase("EdDSA", "EC", "Ed25519")]
    [TestCase("RS256", "EC", "P-256")]
    [TestCase("HS256", "oct", null)]
    public void Fits_WrongCurveOrKeyType_DoesNotFit(string algorithm, string keyType, string? curve) =>
        Assert.That(SigningAlgorithms.Fits(algorithm, keyType, curve), Is.False);

    [TestCase("ES256", "EC", "P-256")]
    [TestCase("ES384", "EC", "P-384")]
    [TestCase("ES512", "EC", "P-521")]
    [TestCase("ES256K", "EC", "secp256k1")]
    [TestCase("EdDSA", "OKP", "Ed25519")]
    [TestCase("PS512", "RSA", null)]
    public void Fits_MatchingCurveAndKeyType_Fits(string algorithm, string keyType, string? curve) =>
        Assert.That(SigningAlgorithms.Fits(algorithm, keyType, curve), Is.True);

    [Test]
    public void Candidates_P384KeyAndEs256Token_NoCandidate()
    {
        var p384 = TestKey.Create("ES384");

        Assert.That(Parse(Defaults, p384.Jwk).Candidates(p384.KeyId, "ES256", out _), Is.Empty);
    }

    [Test]
    public void Verify_EmptySignature_False()
    {
        var key = TestKey.Create("ES256");
        var token = key.CreateToken(EngineTestKit.Payload("https://op.example"));
        var jwt = Decode(token[..(token.LastIndexOf('.') + 1)]);

        Assert.That(SignatureVerifier.Verify(jwt, Parse(Defaults, key.Jwk).Keys), Is.False);
    }

    [Test]
    public void Verify_KeyTheCryptoLibraryRefusesForTheAlgorithm_FalseNotThrown()
    {
        // An EC key offered for an RS256 token (Fits would never pair them): IdentityModel refuses to build a verifier.
        var rsa = TestKey.Create("RS256");
        var ec = TestKey.Create("ES256");
        var jwt = Decode(rsa.CreateToken(EngineTestKit.Payload("https://op.example")));

        Assert.That(SignatureVerifier.Verify(jwt, Parse(Defaults, ec.Jwk).Keys), Is.False);
    }

    [Test]
    public void Verify_GoodSignatureAmongCandidates_True()
    {
        var key = TestKey.Create("ES256");
        var jwt = Decode(key.CreateToken(EngineTestKit.Payload("https://op.example")));

        Assert.That(SignatureVerifier.Verify(jwt, Parse(Defaults, TestKey.Create("ES256").Jwk, key.Jwk).Candidates(null, "ES256", out _)!), Is.True);
    }
}
