using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Flaat.Tests.Core.Tokens;

/// <summary>A key pair generated in the test for one JWS algorithm: its public JWK and a signer.</summary>
internal sealed class TestKey
{
    private TestKey(string algorithm, JsonObject jwk, Func<byte[], byte[]> sign)
    {
        Algorithm = algorithm;
        Jwk = jwk;
        Sign = sign;
    }

    public string Algorithm { get; }

    public JsonObject Jwk { get; }

    public Func<byte[], byte[]> Sign { get; }

    public string KeyId => (string)Jwk["kid"]!;

    public static TestKey Create(string algorithm, string? kid = null)
    {
        kid ??= algorithm.ToLowerInvariant() + "-" + Guid.NewGuid().ToString("N")[..8];
        switch (algorithm)
        {
            case "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512":
            {
                var rsa = RSA.Create(2048);
                var hash = Hash(algorithm);
                var padding = algorithm[0] == 'P' ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                return new TestKey(algorithm, EngineTestKit.RsaJwk(rsa, kid), data => rsa.SignData(data, hash, padding));
            }

            case "ES256" or "ES384" or "ES512":
            {
                var (curve, crv) = algorithm switch
                {
                    "ES256" => (ECCurve.NamedCurves.nistP256, "P-256"),
                    "ES384" => (ECCurve.NamedCurves.nistP384, "P-384"),
                    _ => (ECCurve.NamedCurves.nistP521, "P-521"),
                };
                var ec = ECDsa.Create(curve);
                var hash = Hash(algorithm);
                return new TestKey(algorithm, EngineTestKit.EcJwk(ec, kid, crv), data => ec.SignData(data, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
            }

            case "ES256K":
            {
                var curve = CustomNamedCurves.GetByName("secp256k1");
                var domain = new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
                var generator = new ECKeyPairGenerator();
                generator.Init(new ECKeyGenerationParameters(domain, new SecureRandom()));
                var pair = generator.GenerateKeyPair();
                var q = ((ECPublicKeyParameters)pair.Public).Q.Normalize();
                var jwk = new JsonObject
                {
                    ["kty"] = "EC", ["kid"] = kid, ["crv"] = "secp256k1",
                    ["x"] = EngineTestKit.B64(q.AffineXCoord.GetEncoded()),
                    ["y"] = EngineTestKit.B64(q.AffineYCoord.GetEncoded()),
                };
                return new TestKey(algorithm, jwk, data =>
                {
                    var signer = new ECDsaSigner(new HMacDsaKCalculator(new Sha256Digest()));
                    signer.Init(true, pair.Private);
                    var rs = signer.GenerateSignature(SHA256.HashData(data));
                    return [.. rs[0].ToByteArrayUnsigned().PadLeft(32), .. rs[1].ToByteArrayUnsigned().PadLeft(32)];
                });
            }

            case "EdDSA":
            {
                var key = new Ed25519PrivateKeyParameters(new SecureRandom());
                var jwk = new JsonObject
                {
                    ["kty"] = "OKP", ["kid"] = kid, ["crv"] = "Ed25519",
                    ["x"] = EngineTestKit.B64(key.GeneratePublicKey().GetEncoded()),
                };
                return new TestKey(algorithm, jwk, data =>
                {
                    var signer = new Ed25519Signer();
                    signer.Init(true, key);
                    signer.BlockUpdate(data, 0, data.Length);
                    return signer.GenerateSignature();
                });
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "No test key for this algorithm.");
        }
    }

    public string CreateToken(JsonObject payload, bool includeKeyId = true, string? headerAlgorithm = null)
    {
        var header = new JsonObject { ["alg"] = headerAlgorithm ?? Algorithm, ["typ"] = "at+jwt" };
        if (includeKeyId)
        {
            header["kid"] = KeyId;
        }

        return EngineTestKit.Sign(header, payload, Sign);
    }

    private static HashAlgorithmName Hash(string algorithm) => algorithm[^3..] switch
    {
        "256" => HashAlgorithmName.SHA256,
        "384" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };
}

internal static class ByteArrayExtensions
{
    public static byte[] PadLeft(this byte[] bytes, int length) =>
        bytes.Length >= length ? bytes : [.. new byte[length - bytes.Length], .. bytes];
}
