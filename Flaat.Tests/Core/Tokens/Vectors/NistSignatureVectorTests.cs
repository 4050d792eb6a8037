using System.Buffers.Text;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace Flaat.Tests.Core.Tokens.Vectors;

/// <summary>
/// The signature vectors of Debian's <c>python3-cryptography-vectors</c> (NIST CAVP FIPS 186-3 SigVer
/// for ECDSA P-256/384/521 and RSA PKCS#1 v1.5 / PSS, the CAVS PKCS#1 v1.5 encoding tests, the
/// secp256k1 SigGen file and the Ed25519 reference <c>sign.input</c>) run through Flaat's JWK import
/// and signature verification. Every vector of each file is decided: as the corpus says, or refused
/// by design for a stated reason; each file's count and its list of decisions are asserted, so a
/// corpus that changes or goes empty fails the test.
/// </summary>
public sealed class NistSignatureVectorTests
{
    private const string HashNotBoundToCurve = "JWS binds each curve to one hash (RFC 7518 §3.4), and this is another";
    private const string CurveWithoutJwsAlgorithm = "curve with no JWS algorithm (RFC 7518 §3.4)";
    private const string RsaHashWithoutJwsAlgorithm = "SHA-1 and SHA-224 have no JWS RSA algorithm (RFC 7518 §3.3, §3.5)";
    private const string RsaBelow2048Bits = "RSA modulus below 2048 bits (RFC 7518 §3.3, §3.5: 2048 bits or larger MUST be used)";
    private const string PssSaltNotHashLength = "salt of 10 bytes; PS256/384/512 use a salt as long as the hash (RFC 7518 §3.5)";
    private const string Es256KSignsSha256 = "ES256K signs the SHA-256 of the input (RFC 8812 §3.2), and this is another hash";

    private static readonly HashSet<string> JwsHashes = ["SHA256", "SHA384", "SHA512"];
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, RsaKeyParameters> BouncyCastleRsaKeys = new(StringComparer.Ordinal);

    [Test]
    public void EcdsaSigVer_EveryVector_DecidedAsTheCorpusSaysOrRefusedByDesign()
    {
        var records = NistResponseFile.Read(CryptographyVectors.File("asymmetric/ECDSA/FIPS_186-3/SigVer.rsp"), "Result");
        var tally = new VectorTally();

        foreach (var record in records)
        {
            var (curve, hash) = SplitSection(record.Section);
            var jws = curve switch
            {
                "P-256" => (Algorithm: "ES256", Hash: "SHA-256", Size: 32),
                "P-384" => (Algorithm: "ES384", Hash: "SHA-384", Size: 48),
                "P-521" => (Algorithm: "ES512", Hash: "SHA-512", Size: 66),
                _ => (Algorithm: "ES256", Hash: (string?)null, Size: (Math.Max(record["Qx"].Length, record["Qy"].Length) + 1) / 2),
            };
            var vector = new SignatureVector(
                $"SigVer.rsp #{record.Index} [{record.Section}]",
                VectorTally.EcJwk(curve, CryptographyVectors.Hex(record["Qx"], jws.Size), CryptographyVectors.Hex(record["Qy"], jws.Size)),
                jws.Algorithm,
                CryptographyVectors.Hex(record["Msg"]),
                [.. CryptographyVectors.Hex(record["R"], jws.Size), .. CryptographyVectors.Hex(record["S"], jws.Size)],
                record.Passes);
            var expectation = jws.Hash is null ? Expectation.Refused(CurveWithoutJwsAlgorithm)
                : jws.Hash != hash ? Expectation.Refused(HashNotBoundToCurve)
                : Expectation.FromCorpus;

            tally.Run(vector, expectation);
        }

        Assert.Multiple(() =>
        {
            Assert.That(tally.Total, Is.EqualTo(1125), "vectors in the file");
            Assert.That(tally.Buckets, Is.EquivalentTo(new Dictionary<string, int>
            {
                [Expectation.AsCorpus] = 45,
                [Expectation.Refused(HashNotBoundToCurve).Bucket] = 180,
                [Expectation.Refused(CurveWithoutJwsAlgorithm).Bucket] = 900,
            }));
            Assert.That(tally.Mismatches, Is.Empty);
            Assert.That(tally.Verified, Is.EqualTo(9), "the valid vectors of [P-256,SHA-256], [P-384,SHA-384] and [P-521,SHA-512], 3 each");
        });
    }

    [TestCase("asymmetric/RSA/FIPS_186-2/SigVer15_186-3.rsp", 450, 162, 108, 180, 27)]
    [TestCase("asymmetric/RSA/SigVer15EMTest.txt", 150, 54, 36, 60, 0)]
    public void RsaPkcs1SigVer_EveryVector_DecidedAsTheCorpusSaysOrRefusedByDesign(
        string file, int total, int asCorpus, int weakKeys, int otherHashes, int verified)
    {
        var records = NistResponseFile.Read(CryptographyVectors.File(file), "Result");
        var tally = new VectorTally();

        foreach (var record in records)
        {
            var (vector, modulusBits) = RsaVector(file, record, "RS");
            var expectation = !JwsHashes.Contains(record["SHAAlg"]) ? Expectation.Refused(RsaHashWithoutJwsAlgorithm)
                : modulusBits < 2048 ? Expectation.Refused(RsaBelow2048Bits)
                : Expectation.FromCorpus;

            tally.Run(vector, expectation);
        }

        Assert.Multiple(() =>
        {
            Assert.That(tally.Total, Is.EqualTo(total), "vectors in the file");
            Assert.That(tally.Buckets, Is.EquivalentTo(new Dictionary<string, int>
            {
                [Expectation.AsCorpus] = asCorpus,
                [Expectation.Refused(RsaBelow2048Bits).Bucket] = weakKeys,
                [Expectation.Refused(RsaHashWithoutJwsAlgorithm).Bucket] = otherHashes,
            }));
            Assert.That(tally.Mismatches, Is.Empty);
            Assert.That(tally.VerifiedIn(Expectation.AsCorpus), Is.EqualTo(verified), "valid vectors verified with keys of 2048 bits or more");
        });
    }

    [Test]
    public void RsaPssSigVer_EveryVector_RefusedByDesignForItsSaltLength()
    {
        var file = "asymmetric/RSA/FIPS_186-2/SigVerPSS_186-3.rsp";
        var records = NistResponseFile.Read(CryptographyVectors.File(file), "Result");
        var tally = new VectorTally();
        var soundPssSignatures = 0;

        foreach (var record in records)
        {
            var (vector, _) = RsaVector(file, record, "PS");
            var salt = CryptographyVectors.Hex(record["SaltVal"]);
            tally.Run(vector, !JwsHashes.Contains(record["SHAAlg"]) ? Expectation.Refused(RsaHashWithoutJwsAlgorithm) : Expectation.Refused(PssSaltNotHashLength));
            // A deterministic sample of the valid ones (the 2048-bit ones; the check is slow) is verified with
            // the corpus's own salt length, to show that the refusal is the salt length's.
            if (record.Passes && record.Section == "mod = 2048" && JwsHashes.Contains(record["SHAAlg"])
                && BouncyCastlePssVerifies(vector, record["SHAAlg"], salt.Length))
            {
                soundPssSignatures++;
            }

            Assert.That(salt, Has.Length.EqualTo(10), vector.Id);
        }

        Assert.Multiple(() =>
        {
            Assert.That(tally.Total, Is.EqualTo(450), "vectors in the file");
            Assert.That(tally.Buckets, Is.EquivalentTo(new Dictionary<string, int>
            {
                [Expectation.Refused(PssSaltNotHashLength).Bucket] = 270,
                [Expectation.Refused(RsaHashWithoutJwsAlgorithm).Bucket] = 180,
            }));
            Assert.That(tally.Mismatches, Is.Empty);
            Assert.That(soundPssSignatures, Is.EqualTo(9), "valid 2048-bit vectors that BouncyCastle verifies as PSS with a 10-byte salt");
        });
    }

    [Test]
    public void Secp256k1SigGen_EveryVector_DecidedAsTheCorpusSaysOrRefusedByDesign()
    {
        var records = NistResponseFile.Read(CryptographyVectors.File("asymmetric/ECDSA/SECP256K1/SigGen.txt"), "S");
        var tally = new VectorTally();

        foreach (var record in records)
        {
            var (curve, hash) = SplitSection(record.Section);
            Assert.That(curve, Is.EqualTo("K-256"), record.Section);
            var vector = new SignatureVector(
                $"SigGen.txt #{record.Index} [{record.Section}]",
                VectorTally.EcJwk("secp256k1", CryptographyVectors.Hex(record["Qx"], 32), CryptographyVectors.Hex(record["Qy"], 32)),
                "ES256K",
                CryptographyVectors.Hex(record["Msg"]),
                [.. CryptographyVectors.Hex(record["R"], 32), .. CryptographyVectors.Hex(record["S"], 32)],
                CorpusValid: true);

            tally.Run(vector, hash == "SHA-256" ? Expectation.FromCorpus : Expectation.Refused(Es256KSignsSha256));
        }

        Assert.Multiple(() =>
        {
            Assert.That(tally.Total, Is.EqualTo(1125), "vectors in the file");
            Assert.That(tally.Buckets, Is.EquivalentTo(new Dictionary<string, int>
            {
                [Expectation.AsCorpus] = 225,
                [Expectation.Refused(Es256KSignsSha256).Bucket] = 900,
            }));
            Assert.That(tally.Mismatches, Is.Empty);
            Assert.That(tally.Verified, Is.EqualTo(225));
        });
    }

    [Test]
    public void Ed25519SignInput_EveryVector_Verifies()
    {
        var tally = new VectorTally();
        var index = 0;

        foreach (var line in File.ReadLines(CryptographyVectors.File("asymmetric/Ed25519/sign.input")))
        {
            // secret key || public key : public key : message : signature || message :
            var fields = line.Split(':');
            var signed = CryptographyVectors.Hex(fields[3]);
            var vector = new SignatureVector(
                $"sign.input line {++index}",
                VectorTally.OkpJwk("Ed25519", CryptographyVectors.Hex(fields[1])),
                "EdDSA",
                CryptographyVectors.Hex(fields[2]),
                signed[..64],
                CorpusValid: true);

            tally.Run(vector, Expectation.FromCorpus);
        }

        Assert.Multiple(() =>
        {
            Assert.That(tally.Total, Is.EqualTo(1024), "vectors in the file");
            Assert.That(tally.Mismatches, Is.Empty);
            Assert.That(tally.Verified, Is.EqualTo(1024));
        });
    }

    private static (SignatureVector Vector, int ModulusBits) RsaVector(string file, NistRecord record, string family)
    {
        var modulus = CryptographyVectors.Unsigned(record["n"]);
        var algorithm = record["SHAAlg"] switch
        {
            "SHA384" => family + "384",
            "SHA512" => family + "512",
            _ => family + "256",
        };
        var vector = new SignatureVector(
            $"{Path.GetFileName(file)} #{record.Index} [{record.Section}, {record["SHAAlg"]}]",
            VectorTally.RsaJwk(modulus, CryptographyVectors.Unsigned(record["e"])),
            algorithm,
            CryptographyVectors.Hex(record["Msg"]),
            CryptographyVectors.Hex(record["S"], modulus.Length),
            record.Passes);
        return (vector, new BigInteger(1, modulus).BitLength);
    }

    /// <summary>The corpus's own PSS check (salt of the stated length), to show the harness reads the vectors right.</summary>
    private static bool BouncyCastlePssVerifies(SignatureVector vector, string hash, int saltLength)
    {
        IDigest Digest() => hash switch
        {
            "SHA256" => new Sha256Digest(),
            "SHA384" => new Sha384Digest(),
            _ => new Sha512Digest(),
        };

        // BouncyCastle checks an RSA modulus at length on every import: one import per key.
        var n = (string)vector.Jwk["n"]!;
        var e = (string)vector.Jwk["e"]!;
        var key = BouncyCastleRsaKeys.GetOrAdd(n + "." + e, _ => new RsaKeyParameters(
            false, new BigInteger(1, Base64Url.DecodeFromChars(n)), new BigInteger(1, Base64Url.DecodeFromChars(e))));
        var signer = new PssSigner(new RsaEngine(), Digest(), Digest(), saltLength);
        signer.Init(false, key);
        signer.BlockUpdate(vector.Message, 0, vector.Message.Length);
        return signer.VerifySignature(vector.Signature);
    }

    private static (string Curve, string Hash) SplitSection(string section)
    {
        var comma = section.IndexOf(',', StringComparison.Ordinal);
        return (section[..comma], section[(comma + 1)..]);
    }
}
