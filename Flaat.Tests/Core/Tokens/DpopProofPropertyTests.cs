using System.Buffers.Text;
using System.Text;
using CsCheck;
using Flaat.Testing;
using Flaat.Tokens;

namespace Flaat.Tests.Core.Tokens;

/// <summary>
/// Hostile DPoP proofs: random text, mutations of a valid proof, and proofs whose header and claims
/// are hostile JSON but whose signature is real. None throws, none passes.
/// </summary>
public sealed class DpopProofPropertyTests
{
    private const string Url = "https://api.example.org/items";
    private const string Token = "access-token-123";
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private FakeDpopKey _key = null!;
    private string _valid = null!;
    private System.Security.Cryptography.ECDsa _signer = null!;

    [OneTimeSetUp]
    public void CreateKey()
    {
        _signer = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        _key = FakeDpopKey.Create();
        _valid = _key.CreateProof("GET", Url, Token, new FakeDpopProofOptions { IssuedAt = Now });
        Assert.That(DpopProof.Check(_valid, DpopProofTests.Expect(), out var problem), Is.Not.Null, problem);
    }

    [OneTimeTearDown]
    public void DisposeKey()
    {
        _key.Dispose();
        _signer.Dispose();
    }

    private static void AssertRefused(string proof)
    {
        DpopProof? result;
        try
        {
            result = DpopProof.Check(proof, DpopProofTests.Expect(), out var problem);
            if (result is null && string.IsNullOrEmpty(problem))
            {
                throw new AssertionException("refused without a reason");
            }
        }
        catch (Exception e) when (e is not AssertionException)
        {
            throw new AssertionException($"threw {e.GetType().Name}: {e.Message}");
        }

        if (result is not null)
        {
            throw new AssertionException("a hostile proof passed");
        }
    }

    [Test]
    public void Check_RandomText_NeverThrowsNeverPasses() =>
        Gen.String[Gen.Char["ABCabc012-_.=+/ {}\"é\u0000"], 0, 300].Sample(AssertRefused, iter: 3000);

    [Test]
    public void Check_MutatedValidProof_NeverThrowsNeverPasses() =>
        Gen.Select(Gen.Int[0, _valid.Length - 1], Gen.Char["AZaz09-_.=!"], Gen.Int[0, 3]).Sample(sample =>
        {
            var (at, c, how) = sample;
            var mutated = how switch
            {
                0 => _valid[..at] + c + _valid[(at + 1)..],
                1 => _valid[..at],
                2 => _valid[..at] + c + _valid[at..],
                _ => _valid.Remove(at, 1),
            };
            if (mutated != _valid)
            {
                AssertRefused(mutated);
            }
        }, iter: 2000);

    [Test]
    public void Check_SignedProofsWithOneHostileClaim_NeverThrowNeverPass()
    {
        // The header is right and every claim valid but one, which is hostile: the claim's own check must refuse.
        var valid = ValidClaims();
        // Any string of 1 to 512 characters is a valid jti: only other values are hostile there.
        var hostileJti = HostileJson.Value.Where(v => !v.StartsWith('"') || v == "\"\"" || v.Length > 600);
        var hostileClaim = Gen.Int[0, valid.Length - 1].SelectMany(at => Gen.Select(Gen.Const(at), at == 0 ? hostileJti : HostileJson.Value, Gen.Bool)).Select((at, value, drop) =>
            "{" + string.Join(",", valid.Select((member, i) => i != at ? $"\"{member.Name}\":{member.Value}" : drop ? null : $"\"{member.Name}\":{value}").Where(m => m is not null)) + "}");
        var header = $$"""{"typ":"dpop+jwt","alg":"ES256","jwk":{{SignerJwk()}}}""";
        hostileClaim.Sample(claims =>
        {
            var input = B64(header) + "." + B64(claims);
            AssertRefused(input + "." + Base64Url.EncodeToString(Sign(Encoding.ASCII.GetBytes(input))));
        }, iter: 1500);
    }

    [Test]
    public void Check_SignedProofsWithOneHostileJwkPart_ReachTheKeyParserAndNeverPass()
    {
        // Valid claims and header but for one part of the jwk, so the key parser itself must refuse.
        var members = new (string Name, string Value)[] { ("kty", "\"EC\""), ("crv", "\"P-256\""), ("x", $"\"{Coordinate(true)}\""), ("y", $"\"{Coordinate(false)}\"") };
        var random = Gen.Int[0, 70].Select(length => $"\"{Base64Url.EncodeToString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(length))}\"");
        var hostile = Gen.OneOf(HostileJson.Value, random, Gen.Const("\"P-384\""), Gen.Const("\"secp256k1\""), Gen.Const("\"Ed25519\""), Gen.Const("\"RSA\""), Gen.Const("\"OKP\""), Gen.Const("\"oct\""));
        var replaced = Gen.Select(Gen.Int[0, members.Length - 1], hostile).Select((at, value) =>
            "{" + string.Join(",", members.Select((member, i) => $"\"{member.Name}\":{(i == at ? value : member.Value)}")) + "}");
        var added = Gen.OneOf(Gen.Const("\"d\":\"AQAB\""), Gen.Const("\"use\":\"enc\""), Gen.Const("\"x\":\"AQAB\""), Gen.Const("\"k\":\"AQAB\""))
            .Select(extra => "{" + string.Join(",", members.Select(member => $"\"{member.Name}\":{member.Value}")) + "," + extra + "}");
        var claims = "{" + string.Join(",", ValidClaims().Select(member => $"\"{member.Name}\":{member.Value}")) + "}";
        var control = B64("{\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":" + SignerJwk() + "}") + "." + B64(claims);
        Assert.That(DpopProof.Check(control + "." + Base64Url.EncodeToString(Sign(Encoding.ASCII.GetBytes(control))), DpopProofTests.Expect(), out var controlProblem), Is.Not.Null, "control: the unaltered proof passes: " + controlProblem);
        Gen.OneOf(replaced, added, HostileJson.Value).Sample(jwk =>
        {
            var input = B64($$"""{"typ":"dpop+jwt","alg":"ES256","jwk":{{jwk}}}""") + "." + B64(claims);
            var proof = input + "." + Base64Url.EncodeToString(Sign(Encoding.ASCII.GetBytes(input)));
            AssertRefused(proof);
            DpopProof.Check(proof, DpopProofTests.Expect(), out var problem);
            if (problem is null || !(problem.StartsWith("the jwk header", StringComparison.Ordinal) || problem.StartsWith("the proof is", StringComparison.Ordinal)))
            {
                throw new AssertionException($"refused before the key parser: {problem}");
            }
        }, iter: 1500);
    }

    private static (string Name, string Value)[] ValidClaims() =>
    [
        ("jti", "\"j-1\""),
        ("htm", "\"GET\""),
        ("htu", $"\"{Url}\""),
        ("iat", Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("ath", $"\"{DpopProof.AccessTokenHash(Token)}\""),
    ];

    private string Coordinate(bool x)
    {
        var q = _signer.ExportParameters(false).Q;
        return Base64Url.EncodeToString(x ? q.X! : q.Y!);
    }

    private byte[] Sign(byte[] input) => _signer.SignData(input, System.Security.Cryptography.HashAlgorithmName.SHA256);

    private string SignerJwk()
    {
        var q = _signer.ExportParameters(false).Q;
        return $$"""{"kty":"EC","crv":"P-256","x":"{{Base64Url.EncodeToString(q.X)}}","y":"{{Base64Url.EncodeToString(q.Y)}}"}""";
    }

    private static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}
