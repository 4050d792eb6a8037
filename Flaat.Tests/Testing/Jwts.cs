using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Flaat.Tests.Testing;

/// <summary>Independent JWS checks for the fake OP's tests: decoding and verification with a published JWK.</summary>
internal static class Jwts
{
    public static JsonObject Header(string jwt) => Part(jwt, 0);

    public static JsonObject Payload(string jwt) => Part(jwt, 1);

    public static bool Verifies(string jwt, JsonObject jwk)
    {
        var parts = jwt.Split('.');
        var input = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var signature = Base64Url.DecodeFromChars(parts[2]);
        switch ((string?)jwk["kty"])
        {
            case "RSA":
                using (var rsa = RSA.Create(new RSAParameters { Modulus = B(jwk, "n"), Exponent = B(jwk, "e") }))
                {
                    return rsa.VerifyData(input, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                }

            case "EC":
                using (var ec = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = B(jwk, "x"), Y = B(jwk, "y") } }))
                {
                    return ec.VerifyData(input, signature, HashAlgorithmName.SHA256);
                }

            case "OKP":
                var verifier = new Ed25519Signer();
                verifier.Init(forSigning: false, new Ed25519PublicKeyParameters(B(jwk, "x")));
                verifier.BlockUpdate(input);
                return verifier.VerifySignature(signature);
            default:
                throw new ArgumentException("unknown kty", nameof(jwk));
        }
    }

    private static byte[] B(JsonObject jwk, string name) => Base64Url.DecodeFromChars((string)jwk[name]!);

    private static JsonObject Part(string jwt, int index) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[index]))!.AsObject();

    public static async Task<JsonObject> GetJsonAsync(this HttpClient http, string url)
    {
        using var response = await http.GetAsync(new Uri(url));
        Assert.That((int)response.StatusCode, Is.EqualTo(200), url);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    public static JsonElement ToElement(this JsonNode node) => JsonSerializer.SerializeToElement(node);
}
