using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Flaat.Tokens;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core.Tokens.Vectors;

/// <summary>
/// The JWS examples of RFC 7515 (Appendix A), RFC 7520 (§4.1–§4.4, keys of §3) and RFC 8037
/// (Appendix A.4): spec examples published for interoperability testing, cited by section. The
/// signed ones verify (through the public <see cref="FlaatJwksClient"/> when the payload is a JWT
/// claims set, through Flaat's verifier otherwise); one flipped bit makes each fail; the HMAC and
/// unsecured ones are refused by design, after checking that they are genuine.
/// </summary>
public sealed class RfcJwsExampleTests
{
    // RFC 7515 A.1–A.3, A.5: {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}
    private const string Rfc7515Claims = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";

    // RFC 7520 §4: "It’s a dangerous business, Frodo, going out your door. ..."
    private const string Rfc7520Payload =
        "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IH" +
        "lvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBk" +
        "b24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcm" +
        "UgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4";

    private const string Rfc7520KeyId = "bilbo.baggins@hobbiton.example";

    /// <summary>Before the <c>exp</c> of the RFC 7515 claims (2011-03-22T18:43:00Z).</summary>
    private static readonly DateTimeOffset Rfc7515Now = DateTimeOffset.FromUnixTimeSeconds(1300819380 - 600);

    /// <summary>RFC 7515 A.2.1: the RSA key (public part).</summary>
    private static readonly JsonObject Rfc7515RsaKey = new()
    {
        ["kty"] = "RSA",
        ["n"] = "ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddx" +
                "HmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMs" +
                "D1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSH" +
                "SXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdV" +
                "MTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8" +
                "NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ",
        ["e"] = "AQAB",
    };

    /// <summary>RFC 7515 A.3.1: the P-256 key (public part).</summary>
    private static readonly JsonObject Rfc7515P256Key = new()
    {
        ["kty"] = "EC",
        ["crv"] = "P-256",
        ["x"] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        ["y"] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    };

    /// <summary>RFC 7515 A.4.1: the P-521 key (public part).</summary>
    private static readonly JsonObject Rfc7515P521Key = new()
    {
        ["kty"] = "EC",
        ["crv"] = "P-521",
        ["x"] = "AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk",
        ["y"] = "ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2",
    };

    /// <summary>RFC 7520 §3.3: the RSA public key.</summary>
    private static readonly JsonObject Rfc7520RsaKey = new()
    {
        ["kty"] = "RSA",
        ["kid"] = Rfc7520KeyId,
        ["use"] = "sig",
        ["n"] = "n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT" +
                "-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqV" +
                "wGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-" +
                "oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde" +
                "3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuC" +
                "LqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5g" +
                "HdrNP5zw",
        ["e"] = "AQAB",
    };

    /// <summary>RFC 7520 §3.1: the EC (P-521) public key.</summary>
    private static readonly JsonObject Rfc7520P521Key = new()
    {
        ["kty"] = "EC",
        ["kid"] = Rfc7520KeyId,
        ["use"] = "sig",
        ["crv"] = "P-521",
        ["x"] = "AHKZLLOsCOzz5cY97ewNUajB957y-C-U88c3v13nmGZx6sYl_oJXu9" +
                "A5RkTKqjqvjyekWF-7ytDyRXYgCF5cj0Kt",
        ["y"] = "AdymlHvOiLxXkEhayXQnNCvDX4h9htZaCJN34kfmC6pV5OhQHiraVy" +
                "SsUdaQkAgDPrwQrJmbnX9cwlGfP-HqHZR1",
    };

    /// <summary>RFC 8037 A.1: the Ed25519 public key.</summary>
    private static readonly JsonObject Rfc8037Ed25519Key = new()
    {
        ["kty"] = "OKP",
        ["crv"] = "Ed25519",
        ["x"] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    };

    /// <summary>The examples whose payload is a JWT claims set: verified end to end by <see cref="FlaatJwksClient"/>.</summary>
    public static IEnumerable<TestCaseData> SignedJwtExamples()
    {
        yield return new TestCaseData(
            Rfc7515RsaKey,
            "eyJhbGciOiJSUzI1NiJ9." + Rfc7515Claims + "." +
            "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7" +
            "AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4" +
            "BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K" +
            "0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqv" +
            "hJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrB" +
            "p0igcN_IoypGlUPQGe77Rw").SetArgDisplayNames("RFC 7515 A.2 RS256");
        yield return new TestCaseData(
            Rfc7515P256Key,
            "eyJhbGciOiJFUzI1NiJ9." + Rfc7515Claims + "." +
            "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSA" +
            "pmWQxfKTUJqPP3-Kg6NU1Q").SetArgDisplayNames("RFC 7515 A.3 ES256");
    }

    /// <summary>The examples whose payload is not a JWT claims set (so Flaat would take them for opaque tokens): verified by Flaat's verifier.</summary>
    public static IEnumerable<TestCaseData> SignedRawExamples()
    {
        yield return new TestCaseData(
            Rfc7515P521Key,
            "eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA." +
            "AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZq" +
            "wqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8Kp" +
            "EHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn").SetArgDisplayNames("RFC 7515 A.4 ES512");
        yield return new TestCaseData(
            Rfc7520RsaKey,
            "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9." + Rfc7520Payload + "." +
            "MRjdkly7_-oTPTS3AXP41iQIGKa80A0ZmTuV5MEaHoxnW2e5CZ5NlKtainoFmK" +
            "ZopdHM1O2U4mwzJdQx996ivp83xuglII7PNDi84wnB-BDkoBwA78185hX-Es4J" +
            "IwmDLJK3lfWRa-XtL0RnltuYv746iYTh_qHRD68BNt1uSNCrUCTJDt5aAE6x8w" +
            "W1Kt9eRo4QPocSadnHXFxnt8Is9UzpERV0ePPQdLuW3IS_de3xyIrDaLGdjluP" +
            "xUAhb6L2aXic1U12podGU0KLUQSE_oI-ZnmKJ3F4uOZDnd6QZWJushZ41Axf_f" +
            "cIe8u9ipH84ogoree7vjbU5y18kDquDg").SetArgDisplayNames("RFC 7520 4.1 RS256");
        yield return new TestCaseData(
            Rfc7520RsaKey,
            "eyJhbGciOiJQUzM4NCIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9." + Rfc7520Payload + "." +
            "cu22eBqkYDKgIlTpzDXGvaFfz6WGoz7fUDcfT0kkOy42miAh2qyBzk1xEsnk2I" +
            "pN6-tPid6VrklHkqsGqDqHCdP6O8TTB5dDDItllVo6_1OLPpcbUrhiUSMxbbXU" +
            "vdvWXzg-UD8biiReQFlfz28zGWVsdiNAUf8ZnyPEgVFn442ZdNqiVJRmBqrYRX" +
            "e8P_ijQ7p8Vdz0TTrxUeT3lm8d9shnr2lfJT8ImUjvAA2Xez2Mlp8cBE5awDzT" +
            "0qI0n6uiP1aCN_2_jLAeQTlqRHtfa64QQSUmFAAjVKPbByi7xho0uTOcbH510a" +
            "6GYmJUAfmWjwZ6oD4ifKo8DYM-X72Eaw").SetArgDisplayNames("RFC 7520 4.2 PS384");
        yield return new TestCaseData(
            Rfc7520P521Key,
            "eyJhbGciOiJFUzUxMiIsImtpZCI6ImJpbGJvLmJhZ2dpbnNAaG9iYml0b24uZXhhbXBsZSJ9." + Rfc7520Payload + "." +
            "AE_R_YZCChjn4791jSQCrdPZCNYqHXCTZH0-JZGYNlaAjP2kqaluUIIUnC9qvb" +
            "u9Plon7KRTzoNEuT4Va2cmL1eJAQy3mtPBu_u_sDDyYjnAMDxXPn7XrT0lw-kv" +
            "AD890jl8e2puQens_IEKBpHABlsbEPX6sFY8OcGDqoRuBomu9xQ2").SetArgDisplayNames("RFC 7520 4.3 ES512");
        yield return new TestCaseData(
            Rfc8037Ed25519Key,
            "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc." +
            "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg").SetArgDisplayNames("RFC 8037 A.4 EdDSA");
    }

    [TestCaseSource(nameof(SignedJwtExamples))]
    public async Task VerifyAsync_RfcSignedJwtExample_Verifies(JsonObject key, string token)
    {
        using var client = JwksClient(key);

        var verified = await client.VerifyAsync(token);

        Assert.That(verified.VerificationAlgorithm, Is.EqualTo(Header(token)["alg"]!.GetValue<string>()));
        Assert.That(verified.Body["iss"].GetString(), Is.EqualTo("joe"));
    }

    [TestCaseSource(nameof(SignedJwtExamples))]
    public void VerifyAsync_RfcSignedJwtExampleWithOneBitFlipped_Refused(JsonObject key, string token)
    {
        using var client = JwksClient(key);

        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => client.VerifyAsync(FlipSignatureBit(token)));

        Assert.That(thrown!.Message, Is.EqualTo("Signature verification failed"));
    }

    [TestCaseSource(nameof(SignedRawExamples))]
    public void Verify_RfcSignedExampleWithNonJwtPayload_Verifies(JsonObject key, string jws)
    {
        var (algorithm, input, signature) = Split(jws);

        var verified = VerifyWithFlaat(key, Header(jws), input, signature);

        Assert.That(DecodedJwt.TryDecode(jws, out var problem), Is.Null);
        Assert.That(problem, Is.Not.Null, "a JOSE header over a payload that is no claims set is a malformed JWT, refused as a token");
        Assert.That(verified, Is.True, algorithm);
    }

    [TestCaseSource(nameof(SignedRawExamples))]
    public void Verify_RfcSignedExampleWithOneBitFlipped_Refused(JsonObject key, string jws)
    {
        var (_, input, signature) = Split(FlipSignatureBit(jws));

        var verified = VerifyWithFlaat(key, Header(jws), input, signature);

        Assert.That(verified, Is.False);
    }

    [Test]
    public void VerifyAsync_Rfc7515HmacExample_RefusedByDesign()
    {
        // RFC 7515 A.1: HS256 with the symmetric key of A.1.1.
        const string token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." + Rfc7515Claims + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        const string secret = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
        using var client = JwksClient(new JsonObject { ["kty"] = "oct", ["k"] = secret });

        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => client.VerifyAsync(token));

        Assert.That(IsGenuineHmac(token, secret), Is.True, "the example is a valid HS256 JWS");
        Assert.That(thrown!.Message, Is.EqualTo("Algorithm HS256 is not accepted: HMAC tokens cannot be verified with an OP's public keys"));
    }

    [Test]
    public void VerifyAsync_Rfc7515UnsecuredExample_RefusedByDesign()
    {
        // RFC 7515 A.5: {"alg":"none"} and an empty signature.
        const string token = "eyJhbGciOiJub25lIn0." + Rfc7515Claims + ".";
        using var client = JwksClient(Rfc7515RsaKey);

        var thrown = Assert.ThrowsAsync<FlaatUnauthenticatedException>(() => client.VerifyAsync(token));

        Assert.That(thrown!.Message, Is.EqualTo("Unsigned tokens (alg none) are not accepted"));
    }

    [Test]
    public void Verify_Rfc7520HmacExample_RefusedByDesign()
    {
        // RFC 7520 §4.4: HS256 with the symmetric key of §3.5.
        const string jws = "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9." + Rfc7520Payload + ".s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0";
        const string secret = "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg";
        var jwks = new JsonObject
        {
            ["keys"] = new JsonArray(
                new JsonObject { ["kty"] = "oct", ["kid"] = "018c0ae5-4d9b-471b-bfd6-eef314bc7037", ["use"] = "sig", ["alg"] = "HS256", ["k"] = secret },
                Rfc7520RsaKey.DeepClone()),
        };
        var (algorithm, input, signature) = Split(jws);

        var set = KeySet.TryParse(jwks.ToJsonString(), KeyLimits.From(new FlaatKeyOptions()))!;

        Assert.That(IsGenuineHmac(jws, secret), Is.True, "the example is a valid HS256 JWS");
        Assert.That(set.Keys.Select(k => k.KeyType), Is.EqualTo(new[] { "RSA" }), "a symmetric key never becomes a verification key");
        Assert.That(SigningAlgorithms.Refusal(algorithm), Is.Not.Null);
        Assert.That(SignatureVerifier.Verify(set.Keys[0], algorithm, input, signature), Is.False, "no key verifies HS256, not even one of another type");
    }

    /// <summary>Flaat's decision for a JWS whose payload is not a claims set: its JWKS import, key choice (kid, alg) and verifier.</summary>
    private static bool VerifyWithFlaat(JsonObject key, JsonObject header, byte[] input, byte[] signature)
    {
        var algorithm = header["alg"]!.GetValue<string>();
        var set = KeySet.TryParse(new JsonObject { ["keys"] = new JsonArray(key.DeepClone()) }.ToJsonString(), KeyLimits.From(new FlaatKeyOptions()));
        Assert.That(set?.Keys, Has.Count.EqualTo(1), "the RFC key imports");
        var candidates = set!.Candidates(header["kid"]?.GetValue<string>(), algorithm, out _);
        return candidates is { Count: > 0 } && candidates.All(c => SignatureVerifier.Verify(c, algorithm, input, signature));
    }

    private static FlaatJwksClient JwksClient(JsonObject key)
    {
        var jwks = new JsonObject { ["keys"] = new JsonArray(key.DeepClone()) }.ToJsonString();
        var http = new HttpClient(new JwksHandler(jwks));
        return new FlaatJwksClient(new Uri("https://op.example/jwks"), httpClient: http, timeProvider: new FakeTimeProvider(Rfc7515Now));
    }

    private static (string Algorithm, byte[] Input, byte[] Signature) Split(string jws)
    {
        var dot = jws.LastIndexOf('.');
        return (Header(jws)["alg"]!.GetValue<string>(), Encoding.ASCII.GetBytes(jws[..dot]), Base64Url.DecodeFromChars(jws.AsSpan(dot + 1)));
    }

    private static JsonObject Header(string jws) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(jws.AsSpan(0, jws.IndexOf('.'))))!.AsObject();

    /// <summary>The JWS with the lowest bit of its signature's first byte flipped.</summary>
    private static string FlipSignatureBit(string jws)
    {
        var dot = jws.LastIndexOf('.');
        var signature = Base64Url.DecodeFromChars(jws.AsSpan(dot + 1));
        signature[0] ^= 1;
        return jws[..(dot + 1)] + Base64Url.EncodeToString(signature);
    }

    private static bool IsGenuineHmac(string jws, string secret)
    {
        var (_, input, signature) = Split(jws);
        return HMACSHA256.HashData(Base64Url.DecodeFromChars(secret), input).AsSpan().SequenceEqual(signature);
    }

    /// <summary>Answers every request with one JWKS document.</summary>
    private sealed class JwksHandler(string jwks) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(jwks, Encoding.UTF8, "application/json"),
            });
    }
}
