using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Flaat.Tokens;

namespace Flaat.Tests.Core.Tokens;

/// <summary>
/// Property-based tests of the JWKS reader on 100 000+ hostile key sets: real keys of every
/// supported type with their members replaced by wrong types, broken base64, other curves and
/// junk; key sets of the wrong shape; text that is not JSON. It never throws, accounts for every JWK,
/// and never turns a JWK meant for encryption into a verification key.
/// </summary>
public sealed class KeySetPropertyTests
{
    private static readonly KeyLimits Limits = KeyLimits.From(new FlaatKeyOptions());

    private static readonly JsonObject[] RealKeys =
        [.. new[] { "RS256", "ES256", "ES384", "ES512", "ES256K", "EdDSA" }.Select(algorithm => TestKey.Create(algorithm).Jwk)];

    private static readonly string[] KeyMaterial =
    [
        "\"AQAB\"", "\"\"", "\"!!!!\"", "\"AA\"", "\"A\"", "\"====\"", "\"AQAB==\"", "\"_-_-\"", "\"" + new string('A', 5000) + "\"",
        .. RealKeys.SelectMany(k => new[] { "x", "y", "n" }.Where(k.ContainsKey).Select(m => k[m]!.ToJsonString())),
    ];

    private static readonly Gen<string> Use = Gen.OneOf(
        Gen.Const("\"sig\""), Gen.Const("\"enc\""), Gen.Const("\"\""), Gen.Const("\"SIG\""), Gen.Const("\"Enc\""), Gen.Const("\"enc \""), HostileJson.Value);

    private static readonly Gen<string> Member = Gen.OneOf(Gen.OneOf(KeyMaterial.Select(v => Gen.Const(v)).ToArray()), HostileJson.Value);

    private static readonly Gen<string> Names = Gen.OneOf(
        new[] { "\"RSA\"", "\"EC\"", "\"OKP\"", "\"oct\"", "\"rsa\"", "\"P-256\"", "\"P-384\"", "\"P-521\"", "\"secp256k1\"", "\"Ed25519\"", "\"X25519\"", "\"P-192\"", "\"RS256\"", "\"HS256\"", "\"none\"", "\"ES256\"" }
            .Select(v => Gen.Const(v)).Append(HostileJson.Value).ToArray());

    /// <summary>
    /// One JWK as JSON text (so that any JSON, even strings that are no text, can be written): a real
    /// key (or nothing) with some members replaced; <c>{kid}</c> stands for its kid.
    /// </summary>
    private static readonly Gen<(string Jwk, bool Encryption)> Jwk = Gen.Select(
        Gen.Int[0, RealKeys.Length],
        Gen.Frequency((3, Gen.Const((string?)null)), (4, Use.Select(u => (string?)u))),
        Gen.Frequency((1, Gen.Const(Array.Empty<(string, string)>())), (1, Gen.Select(Gen.OneOf(Gen.Const("kty"), Gen.Const("crv"), Gen.Const("alg"), Gen.Const("key_ops")), Names).Array[1, 2])),
        Gen.Frequency((1, Gen.Const(Array.Empty<(string, string)>())), (1, Gen.Select(Gen.OneOf(Gen.Const("n"), Gen.Const("e"), Gen.Const("x"), Gen.Const("y"), Gen.Const("d"), Gen.Const("x5c")), Member).Array[1, 3])))
        .Select((real, use, names, material) =>
        {
            var members = new Dictionary<string, string>(StringComparer.Ordinal);
            if (real < RealKeys.Length)
            {
                foreach (var (name, value) in RealKeys[real])
                {
                    members[name] = value!.ToJsonString();
                }
            }

            foreach (var (name, value) in names.Concat(material))
            {
                members[name] = value;
            }

            if (use is not null)
            {
                members["use"] = use;
            }

            members["kid"] = "\"{kid}\"";
            var json = "{" + string.Join(",", members.Select(m => $"\"{m.Key}\":{m.Value}")) + "}";
            return (json, use is "\"enc\"" or "\"Enc\"" or "\"enc \"");
        });

    [Test]
    public void TryParse_HostileKeySets_NeverThrowsAccountsForEveryKeyAndNeverUsesAnEncryptionKey()
    {
        var sets = Gen.Frequency(
            (8, Jwk.Array[0, 4]),
            (1, Gen.Const(Array.Empty<(string Jwk, bool Encryption)>())));
        var cases = Gen.Select(sets, Gen.Int[0, 9], HostileJson.Value).Select((jwks, shape, junk) =>
        {
            var keys = "[" + string.Join(",", jwks.Select((j, i) => j.Jwk.Replace("{kid}", "k" + i, StringComparison.Ordinal))) + "]";

            // Mostly a key set; sometimes one of the wrong shape or text that is not JSON.
            var json = shape switch
            {
                0 => junk,
                1 => "{\"keys\":" + junk + "}",
                2 => "{\"keys\":" + keys,
                3 => "{\"keys\":{\"0\":" + keys + "}}",
                _ => "{\"keys\":" + keys + ",\"extra\":" + junk + "}",
            };
            var encryption = jwks.Select((j, i) => (j.Encryption, Kid: "k" + i)).Where(j => j.Encryption).Select(j => j.Kid).ToArray();
            return (Json: json, Count: shape >= 4 ? jwks.Length : -1, EncryptionKeyIds: encryption);
        });

        var keysMade = 0;
        cases.Sample(c =>
        {
            var set = KeySet.TryParse(c.Json, Limits);

            if (set is null)
            {
                return;
            }

            Interlocked.Add(ref keysMade, set.Keys.Count);

            Assert.That(set.Keys.Where(k => c.EncryptionKeyIds.Contains(k.KeyId)), Is.Empty, c.Json);
            if (c.Count >= 0)
            {
                Assert.That(set.Keys.Count + set.Skipped, Is.EqualTo(c.Count), c.Json);
            }
        }, iter: 100_000, print: c => c.Json);

        // The generator is worth its iterations only if many of its keys are usable.
        Assert.That(keysMade, Is.GreaterThan(5_000));
    }

    [Test]
    public void TryCreate_EncryptionUseOnARealKey_IsNeverAKey()
    {
        // The direct form of the property above: every real key with use "enc" is skipped.
        Gen.Int[0, RealKeys.Length - 1].Sample(real =>
        {
            var jwk = (JsonObject)RealKeys[real].DeepClone();
            jwk["use"] = "enc";

            Assert.That(SigningKey.TryCreate(new Microsoft.IdentityModel.Tokens.JsonWebKey(jwk.ToJsonString()), Limits), Is.Null);
        }, iter: 1_000);
    }
}
