using System.Text.Json.Nodes;
using Flaat.Tokens;

namespace Flaat.Tests.Core.Tokens.Vectors;

/// <summary>
/// What Flaat is expected to decide for one vector: what the corpus says, or a refusal by design
/// (with its reason) whatever the corpus says.
/// </summary>
internal sealed record Expectation(string Bucket, bool RefusedByDesign)
{
    public const string AsCorpus = "as the corpus says";

    public static Expectation FromCorpus { get; } = new(AsCorpus, false);

    public static Expectation Refused(string reason) => new("refused by design: " + reason, true);
}

/// <summary>
/// One signature vector as Flaat sees it: a public JWK, a JWS algorithm, the signed bytes, the
/// JWS-encoded signature (RSA: the octets; ECDSA: R || S; EdDSA: R || S), and the corpus verdict.
/// </summary>
internal sealed record SignatureVector(string Id, JsonObject Jwk, string Algorithm, byte[] Message, byte[] Signature, bool CorpusValid);

/// <summary>
/// Runs vectors through Flaat's own key import (<see cref="KeySet.TryParse"/>, as a JWKS document)
/// and verification (<see cref="SignatureVerifier"/>), sorts them into buckets and records every
/// decision that differs from the expected one.
/// </summary>
internal sealed class VectorTally
{
    private readonly Dictionary<string, int> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _verified = new(StringComparer.Ordinal);
    private readonly List<string> _mismatches = [];

    /// <summary>How many vectors fell into each bucket (the asserted list of decisions).</summary>
    public IReadOnlyDictionary<string, int> Buckets => _buckets;

    public IReadOnlyList<string> Mismatches => _mismatches;

    public int Total { get; private set; }

    public int Verified { get; private set; }

    /// <summary>How many vectors of one bucket verified.</summary>
    public int VerifiedIn(string bucket) => _verified.GetValueOrDefault(bucket);

    /// <summary>Decides one vector and checks the decision against <paramref name="expectation"/>.</summary>
    /// <param name="vector">The vector.</param>
    /// <param name="expectation">What Flaat must decide.</param>
    public void Run(SignatureVector vector, Expectation expectation)
    {
        Total++;
        _buckets[expectation.Bucket] = _buckets.GetValueOrDefault(expectation.Bucket) + 1;

        var (keyAccepted, verified) = Decide(vector);
        if (verified)
        {
            Verified++;
            _verified[expectation.Bucket] = _verified.GetValueOrDefault(expectation.Bucket) + 1;
        }

        var expected = !expectation.RefusedByDesign && vector.CorpusValid;
        if (verified != expected)
        {
            _mismatches.Add($"{vector.Id} ({vector.Algorithm}, corpus {(vector.CorpusValid ? "valid" : "invalid")}, " +
                            $"{expectation.Bucket}): Flaat {(verified ? "verified it" : keyAccepted ? "rejected the signature" : "refused the key")}");
        }
    }

    /// <summary>Whether Flaat accepts the vector's key, and whether it then verifies the signature.</summary>
    public static (bool KeyAccepted, bool Verified) Decide(SignatureVector vector)
    {
        var jwks = new JsonObject { ["keys"] = new JsonArray(vector.Jwk.DeepClone()) };
        var set = KeySet.TryParse(jwks.ToJsonString(), KeyLimits.From(new FlaatKeyOptions()));
        if (set is null || set.Keys.Count != 1)
        {
            return (false, false);
        }

        return (true, SignatureVerifier.Verify(set.Keys[0], vector.Algorithm, vector.Message, vector.Signature));
    }

    public static JsonObject RsaJwk(byte[] modulus, byte[] exponent) => new()
    {
        ["kty"] = "RSA",
        ["n"] = Base64Url(modulus),
        ["e"] = Base64Url(exponent),
    };

    public static JsonObject EcJwk(string curve, byte[] x, byte[] y) => new()
    {
        ["kty"] = "EC",
        ["crv"] = curve,
        ["x"] = Base64Url(x),
        ["y"] = Base64Url(y),
    };

    public static JsonObject OkpJwk(string curve, byte[] x) => new()
    {
        ["kty"] = "OKP",
        ["crv"] = curve,
        ["x"] = Base64Url(x),
    };

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
