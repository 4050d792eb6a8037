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
    public void Check_SignedProofsWithHostileMembers_NeverThrowNeverPass()
    {
        // The typ, alg and jwk are right but at least one required claim is hostile; or the header is hostile.
        var claims = HostileJson.Object(
            ("jti", HostileJson.Value),
            ("htm", Gen.OneOf(Gen.Const("\"GET\""), HostileJson.Value)),
            ("htu", Gen.OneOf(Gen.Const($"\"{Url}\""), HostileJson.Value)),
            ("iat", Gen.OneOf(Gen.Const(Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)), HostileJson.Value)),
            ("ath", HostileJson.Value));
        var jwk = SignerJwk();
        var header = Gen.OneOf(
            Gen.Const($$"""{"typ":"dpop+jwt","alg":"ES256","jwk":{{jwk}}}"""),
            HostileJson.Object(("typ", Gen.OneOf(Gen.Const("\"dpop+jwt\""), HostileJson.Value)), ("alg", Gen.OneOf(Gen.Const("\"ES256\""), HostileJson.Value)), ("jwk", HostileJson.Value)));
        Gen.Select(header, claims).Sample(sample =>
        {
            var (headerJson, claimsJson) = sample;
            var input = B64(headerJson) + "." + B64(claimsJson);
            AssertRefused(input + "." + Base64Url.EncodeToString(Sign(Encoding.ASCII.GetBytes(input))));
        }, iter: 1500);
    }

    private byte[] Sign(byte[] input) => _signer.SignData(input, System.Security.Cryptography.HashAlgorithmName.SHA256);

    private string SignerJwk()
    {
        var q = _signer.ExportParameters(false).Q;
        return $$"""{"kty":"EC","crv":"P-256","x":"{{Base64Url.EncodeToString(q.X)}}","y":"{{Base64Url.EncodeToString(q.Y)}}"}""";
    }

    private static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}
