using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math;

namespace Flaat.Tests.Core.Tokens.Vectors;

/// <summary>
/// The classic edge cases of signature test suites (out-of-range ECDSA scalars, malleable S, DER
/// instead of JWS's fixed R || S, non-canonical Ed25519 S, RSA signatures of the wrong length),
/// derived from one corpus-valid vector per algorithm, each with the decision Flaat takes and why.
/// </summary>
public sealed class SignatureEdgeCaseTests
{
    public static IEnumerable<TestCaseData> EcdsaAlgorithms()
    {
        yield return new TestCaseData("ES256").SetArgDisplayNames("ES256");
        yield return new TestCaseData("ES384").SetArgDisplayNames("ES384");
        yield return new TestCaseData("ES512").SetArgDisplayNames("ES512");
        yield return new TestCaseData("ES256K").SetArgDisplayNames("ES256K");
    }

    [TestCaseSource(nameof(EcdsaAlgorithms))]
    public void Verify_EcdsaSignatureAsTheCorpusGivesIt_Verifies(string algorithm)
    {
        var vector = EcdsaVector(algorithm);

        Assert.That(VectorTally.Decide(vector), Is.EqualTo((true, true)));
    }

    [TestCaseSource(nameof(EcdsaAlgorithms))]
    public void Verify_EcdsaScalarOutOfRange_Refused(string algorithm)
    {
        var vector = EcdsaVector(algorithm);
        var (r, s, n, size) = Scalars(vector, algorithm);

        var decisions = new Dictionary<string, bool>
        {
            ["r = 0"] = Verifies(vector, BigInteger.Zero, s, size),
            ["s = 0"] = Verifies(vector, r, BigInteger.Zero, size),
            ["r = n"] = Verifies(vector, n, s, size),
            ["s = n"] = Verifies(vector, r, n, size),
        };
        if (r.Add(n).BitLength <= size * 8 && s.Add(n).BitLength <= size * 8)
        {
            // Only P-521's 66-byte fields have room for r + n and s + n (the same scalars, unreduced).
            decisions["r = r + n"] = Verifies(vector, r.Add(n), s, size);
            decisions["s = s + n"] = Verifies(vector, r, s.Add(n), size);
        }

        Assert.That(decisions, Has.Count.EqualTo(algorithm == "ES512" ? 6 : 4));

        Assert.That(decisions.Where(d => d.Value).Select(d => d.Key), Is.Empty, "scalars outside [1, n-1] must never verify");
    }

    [TestCaseSource(nameof(EcdsaAlgorithms))]
    public void Verify_EcdsaWithSReplacedByNMinusS_VerifiesSinceJwsHasNoLowSRule(string algorithm)
    {
        var vector = EcdsaVector(algorithm);
        var (r, s, n, size) = Scalars(vector, algorithm);

        var verified = Verifies(vector, r, n.Subtract(s), size);

        // ECDSA signatures are malleable; RFC 7518 (and RFC 8812 for ES256K) do not ask verifiers to
        // refuse a high S, and a token's identity is never its signature's bytes in Flaat (the cache
        // keys on the whole token, which a different S changes), so the decision is to verify.
        Assert.That(verified, Is.True);
    }

    [TestCaseSource(nameof(EcdsaAlgorithms))]
    public void Verify_EcdsaSignatureInDerOrOfWrongLength_Refused(string algorithm)
    {
        var vector = EcdsaVector(algorithm);
        var (r, s, _, _) = Scalars(vector, algorithm);
        var der = new Org.BouncyCastle.Asn1.DerSequence(new Org.BouncyCastle.Asn1.DerInteger(r), new Org.BouncyCastle.Asn1.DerInteger(s)).GetDerEncoded();

        var decisions = new Dictionary<string, bool>
        {
            ["DER (RFC 7518 §3.4 asks for R || S)"] = VectorTally.Decide(vector with { Signature = der }).Verified,
            ["one byte short"] = VectorTally.Decide(vector with { Signature = vector.Signature[..^1] }).Verified,
            ["one zero byte more"] = VectorTally.Decide(vector with { Signature = [0, .. vector.Signature] }).Verified,
            ["empty"] = VectorTally.Decide(vector with { Signature = [] }).Verified,
        };

        Assert.That(decisions.Where(d => d.Value).Select(d => d.Key), Is.Empty);
    }

    [Test]
    public void Verify_Ed25519WithNonCanonicalS_Refused()
    {
        var vector = Ed25519Vector();
        // S + L, with L the order of the Ed25519 base point (RFC 8032 §5.1): the same scalar, not reduced.
        var l = new BigInteger("7237005577332262213973186563042994240857116359379907606001950938285454250989");
        var s = new BigInteger(1, vector.Signature[32..].Reverse().ToArray());
        var nonCanonical = Fixed(s.Add(l), 32).Reverse().ToArray();

        var decisions = new Dictionary<string, bool>
        {
            ["as the corpus gives it"] = VectorTally.Decide(vector).Verified,
            ["S + L (RFC 8032 §5.1.7 requires S < L)"] = VectorTally.Decide(vector with { Signature = [.. vector.Signature[..32], .. nonCanonical] }).Verified,
            ["one byte short"] = VectorTally.Decide(vector with { Signature = vector.Signature[..^1] }).Verified,
            ["one byte more"] = VectorTally.Decide(vector with { Signature = [.. vector.Signature, 0] }).Verified,
        };

        Assert.That(decisions, Is.EquivalentTo(new Dictionary<string, bool>
        {
            ["as the corpus gives it"] = true,
            ["S + L (RFC 8032 §5.1.7 requires S < L)"] = false,
            ["one byte short"] = false,
            ["one byte more"] = false,
        }));
    }

    [Test]
    public void Verify_RsaSignatureOfTheWrongLength_Refused()
    {
        var vector = RsaVector();
        var modulus = Convert.FromBase64String(Pad(((string)vector.Jwk["n"]!).Replace('-', '+').Replace('_', '/')));
        var value = new BigInteger(1, vector.Signature);

        var decisions = new Dictionary<string, bool>
        {
            ["as the corpus gives it"] = VectorTally.Decide(vector).Verified,
            ["one leading zero byte more (RFC 8017 §8.2.2: length k)"] = VectorTally.Decide(vector with { Signature = [0, .. vector.Signature] }).Verified,
            ["last byte dropped"] = VectorTally.Decide(vector with { Signature = vector.Signature[..^1] }).Verified,
            ["signature + n (not below the modulus)"] = VectorTally.Decide(vector with { Signature = value.Add(new BigInteger(1, modulus)).ToByteArrayUnsigned() }).Verified,
        };

        Assert.That(decisions, Is.EquivalentTo(new Dictionary<string, bool>
        {
            ["as the corpus gives it"] = true,
            ["one leading zero byte more (RFC 8017 §8.2.2: length k)"] = false,
            ["last byte dropped"] = false,
            ["signature + n (not below the modulus)"] = false,
        }));
    }

    [Test]
    public void Locate_CorpusMissing_FailsNamingTheDebianPackage()
    {
        var empty = Directory.CreateTempSubdirectory("flaat-vectors-").FullName;
        try
        {
            var thrown = Assert.Throws<InvalidOperationException>(() => CryptographyVectors.Locate(empty, "asymmetric/Ed25519/sign.input"));

            Assert.That(thrown!.Message, Does.Contain("apt-get install -y --no-install-recommends python3-cryptography-vectors"));
            Assert.That(thrown.Message, Does.Contain(CryptographyVectors.EnvironmentVariable));
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    /// <summary>The first corpus-valid vector of the algorithm's file (NIST SigVer, or the secp256k1 SigGen file for ES256K).</summary>
    private static SignatureVector EcdsaVector(string algorithm)
    {
        if (algorithm == "ES256K")
        {
            var generated = NistResponseFile.Read(CryptographyVectors.File("asymmetric/ECDSA/SECP256K1/SigGen.txt"), "S")
                .First(r => r.Section == "K-256,SHA-256");
            return new SignatureVector(
                "SigGen.txt #" + generated.Index,
                VectorTally.EcJwk("secp256k1", CryptographyVectors.Hex(generated["Qx"], 32), CryptographyVectors.Hex(generated["Qy"], 32)),
                algorithm,
                CryptographyVectors.Hex(generated["Msg"]),
                [.. CryptographyVectors.Hex(generated["R"], 32), .. CryptographyVectors.Hex(generated["S"], 32)],
                CorpusValid: true);
        }

        var (section, curve, size) = algorithm switch
        {
            "ES256" => ("P-256,SHA-256", "P-256", 32),
            "ES384" => ("P-384,SHA-384", "P-384", 48),
            _ => ("P-521,SHA-512", "P-521", 66),
        };
        var record = NistResponseFile.Read(CryptographyVectors.File("asymmetric/ECDSA/FIPS_186-3/SigVer.rsp"), "Result")
            .First(r => r.Section == section && r.Passes);
        return new SignatureVector(
            "SigVer.rsp #" + record.Index,
            VectorTally.EcJwk(curve, CryptographyVectors.Hex(record["Qx"], size), CryptographyVectors.Hex(record["Qy"], size)),
            algorithm,
            CryptographyVectors.Hex(record["Msg"]),
            [.. CryptographyVectors.Hex(record["R"], size), .. CryptographyVectors.Hex(record["S"], size)],
            CorpusValid: true);
    }

    private static SignatureVector Ed25519Vector()
    {
        var fields = File.ReadLines(CryptographyVectors.File("asymmetric/Ed25519/sign.input")).Skip(1).First().Split(':');
        return new SignatureVector(
            "sign.input line 2",
            VectorTally.OkpJwk("Ed25519", CryptographyVectors.Hex(fields[1])),
            "EdDSA",
            CryptographyVectors.Hex(fields[2]),
            CryptographyVectors.Hex(fields[3])[..64],
            CorpusValid: true);
    }

    private static SignatureVector RsaVector()
    {
        var record = NistResponseFile.Read(CryptographyVectors.File("asymmetric/RSA/FIPS_186-2/SigVer15_186-3.rsp"), "Result")
            .First(r => r.Section == "mod = 2048" && r["SHAAlg"] == "SHA256" && r.Passes);
        var modulus = CryptographyVectors.Unsigned(record["n"]);
        return new SignatureVector(
            "SigVer15_186-3.rsp #" + record.Index,
            VectorTally.RsaJwk(modulus, CryptographyVectors.Unsigned(record["e"])),
            "RS256",
            CryptographyVectors.Hex(record["Msg"]),
            CryptographyVectors.Hex(record["S"], modulus.Length),
            CorpusValid: true);
    }

    private static (BigInteger R, BigInteger S, BigInteger N, int Size) Scalars(SignatureVector vector, string algorithm)
    {
        X9ECParameters curve = algorithm switch
        {
            "ES256" => ECNamedCurveTable.GetByName("P-256"),
            "ES384" => ECNamedCurveTable.GetByName("P-384"),
            "ES512" => ECNamedCurveTable.GetByName("P-521"),
            _ => CustomNamedCurves.GetByName("secp256k1"),
        };
        var size = vector.Signature.Length / 2;
        return (new BigInteger(1, vector.Signature[..size]), new BigInteger(1, vector.Signature[size..]), curve.N, size);
    }

    private static bool Verifies(SignatureVector vector, BigInteger r, BigInteger s, int size) =>
        VectorTally.Decide(vector with { Signature = [.. Fixed(r, size), .. Fixed(s, size)] }).Verified;

    private static byte[] Fixed(BigInteger value, int size)
    {
        var bytes = value.ToByteArrayUnsigned();
        var result = new byte[size];
        bytes.CopyTo(result, size - bytes.Length);
        return result;
    }

    private static string Pad(string base64) => base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
}
