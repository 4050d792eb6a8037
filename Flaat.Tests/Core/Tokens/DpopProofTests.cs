using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using Flaat.Testing;
using Flaat.Tokens;

namespace Flaat.Tests.Core.Tokens;

/// <summary>Each check of a DPoP proof (RFC 9449 section 4.3), one at a time, against a real signed proof.</summary>
public sealed class DpopProofTests
{
    private const string Url = "https://api.example.org/items";
    private const string AccessToken = "access-token-123";
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlySet<string> Algorithms = new HashSet<string>(FlaatDpopOptions.DefaultAlgorithms);

    private FakeDpopKey _key = null!;

    [OneTimeSetUp]
    public void CreateKey() => _key = FakeDpopKey.Create();

    [OneTimeTearDown]
    public void DisposeKey() => _key.Dispose();

    internal static DpopExpectation Expect(string method = "GET", string url = Url, string token = AccessToken, IReadOnlySet<string>? algorithms = null) =>
        new(method, DpopTarget.Normalize(url)!, token, algorithms ?? Algorithms, Now, TimeSpan.FromSeconds(60), FutureSkew: TimeSpan.FromSeconds(5));

    private string Proof(FakeDpopProofOptions? options = null, string method = "GET", string url = Url, string? token = AccessToken)
    {
        options ??= new FakeDpopProofOptions();
        options.IssuedAt ??= Now;
        return _key.CreateProof(method, url, token, options);
    }

    private static string? Problem(string proof, DpopExpectation? expected = null)
    {
        var result = DpopProof.Check(proof, expected ?? Expect(), out var problem);
        Assert.That(result is null, Is.EqualTo(problem is not null));
        return problem;
    }

    [Test]
    public void Check_ValidProof_PassesWithTheKeysThumbprint()
    {
        var proof = DpopProof.Check(Proof(new FakeDpopProofOptions { Jti = "j-1" }), Expect(), out var problem);

        Assert.Multiple(() =>
        {
            Assert.That(problem, Is.Null);
            Assert.That(proof!.Thumbprint, Is.EqualTo(_key.Thumbprint));
            Assert.That(proof.Jti, Is.EqualTo("j-1"));
            Assert.That(proof.IssuedAt, Is.EqualTo(Now));
            Assert.That(proof.ReplayKey(), Has.Length.EqualTo(64).And.Not.Contains("j-1"));
        });
    }

    [TestCase(FakeSigningKey.RS256)]
    [TestCase(FakeSigningKey.EdDSA)]
    public void Check_OtherKeyTypes_Pass(string algorithm)
    {
        using var key = FakeDpopKey.Create(algorithm);
        var proof = DpopProof.Check(key.CreateProof("GET", Url, AccessToken, new FakeDpopProofOptions { IssuedAt = Now }), Expect(), out var problem);

        Assert.That(problem, Is.Null);
        Assert.That(proof!.Thumbprint, Is.EqualTo(key.Thumbprint));
    }

    [Test]
    public void Thumbprint_Rfc7638Example_IsTheRfcsValue()
    {
        // RFC 7638 section 3.1's RSA key and thumbprint.
        const string n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
        var canonical = $$"""{"e":"AQAB","kty":"RSA","n":"{{n}}"}""";

        Assert.That(DpopKey.ComputeThumbprint(canonical), Is.EqualTo("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"));
    }

    [Test]
    public void Check_WrongTyp_Refused()
    {
        var options = new FakeDpopProofOptions();
        options.HeaderParameters["typ"] = "JWT";
        Assert.That(Problem(Proof(options)), Does.Contain("typ"));
    }

    [Test]
    public void Check_AlgorithmNotInTheAllowList_Refused() =>
        Assert.That(Problem(Proof(), Expect(algorithms: new HashSet<string> { "RS256" })), Does.Contain("alg"));

    [TestCase("none")]
    [TestCase("HS256")]
    public void Check_UnsignedOrHmacProof_RefusedEvenIfListed(string algorithm)
    {
        var header = new JsonObject { ["typ"] = "dpop+jwt", ["alg"] = algorithm, ["jwk"] = _key.PublicJwk.DeepClone() };
        var proof = Part(header) + "." + Payload(Proof()) + "." + (algorithm == "none" ? string.Empty : "c2ln");
        Assert.That(Problem(proof, Expect(algorithms: new HashSet<string> { algorithm })), Is.Not.Null);
    }

    [TestCase("d")]
    [TestCase("k")]
    [TestCase("p")]
    public void Check_JwkWithPrivateOrSymmetricMembers_Refused(string member)
    {
        var jwk = (JsonObject)_key.PublicJwk.DeepClone();
        jwk[member] = "AAAA";
        Assert.That(Problem(WithHeader(Proof(), h => h["jwk"] = jwk)), Does.Contain("private"));
    }

    [Test]
    public void Check_NoJwk_Refused() =>
        Assert.That(Problem(WithHeader(Proof(), h => h.Remove("jwk"))), Does.Contain("jwk"));

    [Test]
    public void Check_SignedByAnotherKeyThanItsJwk_Refused()
    {
        using var other = FakeDpopKey.Create();
        Assert.That(Problem(WithHeader(Proof(), h => h["jwk"] = other.PublicJwk.DeepClone())), Does.Contain("signature"));
    }

    [Test]
    public void Check_AlteredClaims_SignatureRefused()
    {
        var parts = Proof().Split('.');
        var body = JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])))!.AsObject();
        body["jti"] = "another";
        var altered = parts[0] + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(body.ToJsonString())) + "." + parts[2];
        Assert.That(Problem(altered), Does.Contain("signature"));
    }

    [Test]
    public void Check_WrongMethod_Refused() => Assert.That(Problem(Proof(method: "POST")), Does.Contain("htm"));

    [Test]
    public void Check_MethodCaseDiffers_Refused() => Assert.That(Problem(Proof(method: "get")), Does.Contain("htm"));

    [TestCase("https://api.example.org/other")]
    [TestCase("https://evil.example/items")]
    [TestCase("http://api.example.org/items")]
    [TestCase("https://api.example.org:8443/items")]
    [TestCase("/items")]
    public void Check_WrongUrl_Refused(string htu) => Assert.That(Problem(Proof(url: htu)), Does.Contain("htu"));

    [TestCase("HTTPS://API.Example.ORG/items")]
    [TestCase("https://api.example.org:443/items")]
    [TestCase("https://api.example.org/items?page=2")]
    [TestCase("https://api.example.org/items#top")]
    [TestCase("https://api.example.org/a/../items")]
    [TestCase("https://api.example.org/%69tems")]
    public void Check_UrlThatNormalisesToTheRequests_Passes(string htu) => Assert.That(Problem(Proof(url: htu)), Is.Null);

    [TestCase(-61)]
    [TestCase(6)]
    [TestCase(60)]
    [TestCase(-86400)]
    public void Check_IatOutsideTheWindow_Refused(int seconds) =>
        Assert.That(Problem(Proof(new FakeDpopProofOptions { IssuedAt = Now.AddSeconds(seconds) })), Does.Contain("iat"));

    [TestCase(-60)]
    [TestCase(5)]
    public void Check_IatAtTheWindowsEdge_Passes(int seconds) =>
        Assert.That(Problem(Proof(new FakeDpopProofOptions { IssuedAt = Now.AddSeconds(seconds) })), Is.Null);

    [TestCase("DPoP+JWT")]
    [TestCase("application/DPOP+jwt")]
    public void Check_TypInAnotherCase_Passes(string typ)
    {
        // Media types compare case-insensitively (RFC 7515 section 4.1.9).
        var options = new FakeDpopProofOptions();
        options.HeaderParameters["typ"] = typ;
        Assert.That(Problem(Proof(options)), Is.Null);
    }

    [Test]
    public void Check_AthOfAnotherToken_Refused() => Assert.That(Problem(Proof(token: "another-token")), Does.Contain("ath"));

    [Test]
    public void Check_NoAth_Refused() => Assert.That(Problem(Proof(token: null)), Does.Contain("ath"));

    [Test]
    public void Check_EmptyJti_Refused() => Assert.That(Problem(Proof(new FakeDpopProofOptions { Jti = string.Empty })), Does.Contain("jti"));

    [Test]
    public void Check_Nonce_IsReadForTheCaller()
    {
        var proof = DpopProof.Check(Proof(new FakeDpopProofOptions { Nonce = "n-1" }), Expect(), out _);
        Assert.That(proof!.Nonce, Is.EqualTo("n-1"));
    }

    [Test]
    public void Check_TooLong_Refused() => Assert.That(Problem(new string('a', DpopProof.MaxLength + 1)), Does.Contain("longer"));

    [TestCase("https://Example.COM:443/a/./b/../c?x=1#f", "https://example.com/a/c")]
    [TestCase("http://example.com:80", "http://example.com/")]
    [TestCase("http://example.com:8080/A%2fb", "http://example.com:8080/A%2Fb")]
    [TestCase("https://[::1]:8443/x", "https://[::1]:8443/x")]
    public void Normalize_Rfc3986Forms_AreOneSpelling(string uri, string expected) =>
        Assert.That(DpopTarget.Normalize(uri), Is.EqualTo(expected));

    [TestCase("ftp://example.com/")]
    [TestCase("https://user:pw@example.com/")]
    [TestCase("/relative")]
    [TestCase("https://exa mple.com/")]
    [TestCase("")]
    public void Normalize_NotAnHttpUrl_IsNull(string uri) => Assert.That(DpopTarget.Normalize(uri), Is.Null);

    [Test]
    public void OfRequest_PublicOrigin_ReplacesSchemeAndHost() =>
        Assert.That(DpopTarget.OfRequest("http://10.0.0.5:8080/items?x=1", "https://API.example.org/"), Is.EqualTo("https://api.example.org/items"));

    [TestCase(8192, "AQAB", TestName = "Check_RsaKeyOver4096Bits_RefusedBeforeAnyCrypto")]
    [TestCase(3072, "huge", TestName = "Check_RsaKeyWithAHugeExponent_RefusedBeforeAnyCrypto")]
    [TestCase(2048, "AQAA", TestName = "Check_RsaKeyWithAnEvenExponent_RefusedBeforeAnyCrypto")]
    [TestCase(1024, "AQAB", TestName = "Check_RsaKeyUnder2048Bits_Refused")]
    public void Check_HostileRsaKeys_Refused(int bits, string exponent)
    {
        // A hostile proof must not make the server import a huge key or check a costly signature.
        var random = new Random(bits);
        var modulus = new byte[bits / 8];
        random.NextBytes(modulus);
        modulus[0] |= 0x80;
        modulus[^1] |= 1;
        var e = exponent;
        if (exponent == "huge")
        {
            var big = new byte[383];
            random.NextBytes(big);
            big[0] = 0x1f;
            big[^1] |= 1;
            e = Base64Url.EncodeToString(big);
        }

        var proof = WithHeader(Proof(), h => h["jwk"] = new JsonObject { ["kty"] = "RSA", ["n"] = Base64Url.EncodeToString(modulus), ["e"] = e });

        Assert.That(Problem(proof), Does.Contain("2048 to 4096 bits").Or.Contains("under 2048 bits"));
    }

    private static string Part(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private static string Payload(string proof) => proof.Split('.')[1];

    private static string WithHeader(string proof, Action<JsonObject> change)
    {
        var parts = proof.Split('.');
        var header = JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[0])))!.AsObject();
        change(header);
        return Part(header) + "." + parts[1] + "." + parts[2];
    }
}
