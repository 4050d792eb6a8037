using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using CsCheck;
using Flaat.Evaluation;
using Flaat.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core.Tokens;

/// <summary>
/// The DPoP parsers of untrusted input besides the proof itself: the request target, server nonces,
/// the DPoP scheme's header reader, and the proof's key. Many random and hostile inputs: none throws,
/// none passes.
/// </summary>
public sealed class DpopParserPropertyTests
{
    private static readonly Gen<string> UrlText = Gen.OneOf(
        Gen.String[Gen.Char["htps:/.%2fAZaz09?#@[]:!$&'()*+,;=~-_ \t\u0000\u007fé"], 0, 80],
        Gen.Select(Gen.OneOf(Gen.Const("http"), Gen.Const("https"), Gen.Const("HTTPS"), Gen.Const("ftp"), Gen.Const("javascript")),
            Gen.String[Gen.Char["aZ09.-:[]@%"], 0, 20], Gen.String[Gen.Char["aZ09/.%2fE~-_?#;"], 0, 40])
            .Select((scheme, host, path) => scheme + "://" + host + path),
        Gen.Const("https://api.example.org:443/a/./b/../c?x#y"),
        Gen.Const(new string('a', DpopTarget.MaxLength + 1)));

    // Paths of unreserved characters and single slashes: nothing for normalisation to change.
    private static readonly Gen<string> PlainPath = Gen.String[Gen.Char["abcXYZ019-_~"], 1, 6].Array[1, 4].Select(segments => "/" + string.Join('/', segments));

    [Test]
    public void Normalize_RandomAndHostileText_NeverThrowsAndIsIdempotent() =>
        UrlText.Sample(text =>
        {
            var normal = DpopTarget.Normalize(text);
            if (normal is not null && DpopTarget.Normalize(normal) != normal)
            {
                throw new AssertionException("normalising twice changed the target");
            }

            _ = DpopTarget.OfRequest(text, null);
            _ = DpopTarget.OfRequest(text, "https://api.example.org");
        }, iter: 4000);

    [Test]
    public void Normalize_DistinctPlainPaths_NeverMatch() =>
        Gen.Select(PlainPath, PlainPath).Sample((first, second) =>
        {
            var a = DpopTarget.Normalize("https://api.example.org" + first);
            var b = DpopTarget.Normalize("https://API.example.org:443" + second + "?q=1#f");
            if (a is null || b is null || (first == second) != (a == b))
            {
                throw new AssertionException($"{first} and {second} normalised to {a} and {b}");
            }
        }, iter: 3000);

    [Test]
    public void OfRequest_WithPublicOrigin_NeverDependsOnTheRequestsHost() =>
        Gen.Select(Gen.String[Gen.Char["abc.-09"], 1, 20], PlainPath).Sample((host, path) =>
        {
            var target = DpopTarget.OfRequest("http://" + host + path, "https://api.example.org");
            if (target != "https://api.example.org" + path)
            {
                throw new AssertionException($"host {host} changed the target to {target}");
            }
        }, iter: 2000);

    [Test]
    public void IsValid_RandomAndMutatedNonces_NeverThrowNeverPass()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var nonces = new DpopNonces(time, TimeSpan.FromSeconds(60));
        var other = new DpopNonces(time, TimeSpan.FromSeconds(60));
        var valid = nonces.Create();
        Assert.Multiple(() =>
        {
            Assert.That(nonces.IsValid(valid), Is.True, "control: its own fresh nonce");
            Assert.That(other.IsValid(valid), Is.False, "another process's nonce");
            Assert.That(nonces.IsValid(null), Is.False);
        });

        var random = Gen.String[Gen.Char["AZaz09-_=+/.\u0000é"], 0, 80];
        var mutated = Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Char["AZaz09-_"]).Select((at, c) => valid[..at] + c + valid[(at + 1)..]);
        Gen.OneOf(random, mutated).Sample(nonce =>
        {
            if (nonce != valid && nonces.IsValid(nonce))
            {
                throw new AssertionException("a made-up nonce passed");
            }
        }, iter: 4000);

        time.Advance(TimeSpan.FromSeconds(62));
        Assert.That(nonces.IsValid(valid), Is.False, "an expired nonce");
    }

    [Test]
    public void FromAuthorizationHeader_RandomHeadersAndProofLists_NeverThrowAndTakeOnlyOneProof()
    {
        var header = Gen.OneOf(
            Gen.String[Gen.Char["DdPpOoBearer \t.-_~+/=é\u0000"], 0, 40],
            Gen.String[Gen.Char["abc.-_~+/= \t"], 0, 30].Select(t => "DPoP " + t),
            Gen.String[Gen.Char["abc"], 1, 10].Select(t => "dpop  " + t));
        var proof = Gen.OneOf(Gen.Const((string?)null), Gen.Const((string?)string.Empty), Gen.String[Gen.Char["ab.c-_"], 1, 20].Select(p => (string?)p));
        Gen.Select(header, proof.Array[0, 3]).Sample((authorization, proofs) =>
        {
            var token = DpopToken.FromAuthorizationHeader(authorization, proofs, "GET", "https://api.example.org/items");
            if (token.HasToken && (proofs.Length != 1 || string.IsNullOrEmpty(proofs[0]) || token.Proof != proofs[0]
                || !DpopToken.IsDpop(authorization) || TokenGrammar.Problem(token.Token!) is not null))
            {
                throw new AssertionException($"'{authorization}' with {proofs.Length} proofs gave a token");
            }

            if (!token.HasToken && string.IsNullOrEmpty(token.Problem))
            {
                throw new AssertionException("refused without a reason");
            }
        }, iter: 4000);
    }

    [Test]
    public void TryRead_HostileJwks_NeverThrowNeverPass()
    {
        using var rsa = RSA.Create(4096);
        var parameters = rsa.ExportParameters(false);
        var n4096 = Base64Url.EncodeToString(parameters.Modulus);
        var hugeN = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(1024)); // 8192 bits
        var hugeE = Base64Url.EncodeToString([.. RandomNumberGenerator.GetBytes(383), 1]);
        Gen<string> B64(int min, int max) => Gen.Int[min, max].Select(length => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(length)));
        var jwk = Gen.OneOf(
            // EC: coordinates of the wrong length, or not on the curve.
            Gen.Select(Gen.OneOf(Gen.Const("P-256"), Gen.Const("P-384"), Gen.Const("P-521"), Gen.Const("secp256k1")), B64(0, 70), B64(0, 70))
                .Select((crv, x, y) => $$"""{"kty":"EC","crv":"{{crv}}","x":"{{x}}","y":"{{y}}"}"""),
            // Ed25519 of the wrong length, and curves Flaat does not know.
            Gen.Select(B64(0, 64).Where(x => Base64Url.DecodeFromChars(x).Length != 32), Gen.OneOf(Gen.Const("Ed25519"), Gen.Const("Ed448"), Gen.Const("X25519")))
                .Select((x, crv) => $$"""{"kty":"OKP","crv":"{{crv}}","x":"{{x}}"}"""),
            // RSA: huge modulus, huge or even exponent, a modulus too small.
            Gen.OneOf(Gen.Const(hugeN), B64(1, 200)).Select(n => $$"""{"kty":"RSA","n":"{{n}}","e":"AQAB"}"""),
            Gen.OneOf(Gen.Const(hugeE), Gen.Const("AQAA"), Gen.Const("AAAAAAAB"), Gen.Const("AQ"), Gen.Const("")).Select(e => $$"""{"kty":"RSA","n":"{{n4096}}","e":"{{e}}"}"""),
            // Private members, other uses, symmetric keys (duplicate members: DpopProofPropertyTests, through the proof's strict decoder).
            Gen.Const($$"""{"kty":"RSA","n":"{{n4096}}","e":"AQAB","d":"AQAB"}"""),
            Gen.Const($$"""{"kty":"RSA","n":"{{n4096}}","e":"AQAB","use":"enc"}"""),
            Gen.Const("""{"kty":"oct","k":"AQAB"}"""),
            HostileJson.Object(("kty", HostileJson.Value), ("crv", HostileJson.Value), ("x", HostileJson.Value), ("y", HostileJson.Value), ("n", HostileJson.Value), ("e", HostileJson.Value)),
            HostileJson.Value);
        jwk.Sample(json =>
        {
            JsonElement element;
            try
            {
                element = JsonDocument.Parse(json).RootElement;
            }
            catch (JsonException)
            {
                return;
            }

            DpopKey? key;
            string? problem;
            try
            {
                key = DpopKey.TryRead(element, null, out problem);
            }
            catch (Exception e)
            {
                throw new AssertionException($"threw {e.GetType().Name} for {json[..Math.Min(json.Length, 120)]}");
            }

            if (key is not null || string.IsNullOrEmpty(problem))
            {
                throw new AssertionException($"a hostile jwk passed: {json[..Math.Min(json.Length, 120)]}");
            }
        }, iter: 1500);
    }
}
