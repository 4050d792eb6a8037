using System.Text;
using System.Text.Json.Nodes;
using Flaat.Tokens;

namespace Flaat.Tests.Core.Tokens;

/// <summary>The rule that tells an opaque token, a malformed JWT and a JWT apart (see <see cref="DecodedJwt"/>).</summary>
public sealed class DecodedJwtTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    internal static string Part(string json) => EngineTestKit.B64(Encoding.UTF8.GetBytes(json));

    internal static string Jwt(string headerJson, string payloadJson, string signature = "c2ln") =>
        Part(headerJson) + "." + Part(payloadJson) + "." + signature;

    private static string Header => """{"alg":"RS256","kid":"k1"}""";

    private static string Payload => """{"iss":"https://op.example","sub":"alice","exp":1767272400}""";

    [TestCase("a+.b.c")]
    [TestCase("x.y!.z")]
    [TestCase("~")]
    [TestCase("~.~.~")]
    [TestCase("a.b.c")]
    [TestCase("abcde.eyJ9.x")]
    [TestCase("..")]
    [TestCase(".a.b")]
    [TestCase("a..b")]
    [TestCase("a.b.c.d")]
    [TestCase("eyJhbGciOiJSUzI1NiJ9")]
    public void TryDecode_NotAJoseHeader_OpaqueWithoutThrowing(string token)
    {
        var jwt = DecodedJwt.TryDecode(token, out var problem);

        Assert.That(jwt, Is.Null);
        Assert.That(problem, Is.Null, "opaque, not malformed");
    }

    [Test]
    public void TryDecode_CanonicalJwt_Decoded()
    {
        var token = Jwt(Header, Payload);

        var jwt = DecodedJwt.TryDecode(token, out var problem);

        Assert.That(problem, Is.Null);
        Assert.That(jwt, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(jwt!.Algorithm, Is.EqualTo("RS256"));
            Assert.That(jwt.KeyId, Is.EqualTo("k1"));
            Assert.That(jwt.Issuer, Is.EqualTo("https://op.example"));
            Assert.That(jwt.ExpiresAt, Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(1767272400)));
            Assert.That(jwt.EncodedSignature, Is.EqualTo("c2ln"));
        });
    }

    [TestCase(1, false)]
    [TestCase(2, true)]
    [TestCase(4, true)]
    [TestCase(5, false)]
    [TestCase(6, true)]
    public void TryDecode_JoseHeaderButNotThreeParts_MalformedUnlessOneOrFive(int parts, bool malformed)
    {
        // One part is a bare header; five parts a JWE: both opaque (the OP may know them).
        var token = string.Join('.', new[] { Part(Header) }.Concat(Enumerable.Repeat(Part(Payload), parts - 1)));

        var jwt = DecodedJwt.TryDecode(token, out var problem);

        Assert.That(jwt, Is.Null);
        Assert.That(problem, malformed ? Is.EqualTo("malformed JWT: it is not three dot-separated parts") : Is.Null);
    }

    [Test]
    public void TryDecode_EmptySignature_DecodedWithNoSignatureBytes()
    {
        var jwt = DecodedJwt.TryDecode(Jwt(Header, Payload, signature: string.Empty), out _);

        Assert.That(jwt!.DecodeSignature(), Is.Empty);
    }

    // Each case: what is done to a canonical token, and the reason expected.
    [TestCase("payload!", "payload is not canonical base64url")]
    [TestCase("payload+", "payload is not canonical base64url")]
    [TestCase("payload=", "payload is not canonical base64url")]
    [TestCase("payload ", "payload is not canonical base64url")]
    [TestCase("payloadLastBit", "payload is not canonical base64url")]
    [TestCase("payloadEmpty", "payload is empty")]
    [TestCase("signature=", "signature is not canonical base64url")]
    [TestCase("signature==", "signature is not canonical base64url")]
    [TestCase("signature ", "signature is not canonical base64url")]
    [TestCase("signature\n", "signature is not canonical base64url")]
    [TestCase("signatureLastBit", "signature is not canonical base64url")]
    [TestCase("signatureMod1", "signature is not canonical base64url")]
    [TestCase("signatureStd", "signature is not canonical base64url")]
    [TestCase("header=", "header is not canonical base64url")]
    [TestCase("header ", "header is not canonical base64url")]
    [TestCase("headerLastBit", "header is not canonical base64url")]
    public void TryDecode_NonCanonicalPart_MalformedJwt(string mutation, string reason)
    {
        // The header (26 bytes), the payload (59 bytes) and "c2k" (2 bytes) each end in a character with unused bits.
        var header = Part(Header);
        var payload = Part(Payload);
        var signature = "c2k";
        switch (mutation)
        {
            case "payload!": payload += "!"; break;
            case "payload+": payload = payload[..^1] + "+"; break;
            case "payload=": payload += "="; break;
            case "payload ": payload = payload[..4] + " " + payload[4..]; break;
            case "payloadLastBit": payload = FlipUnusedBit(payload); break;
            case "payloadEmpty": payload = string.Empty; break;
            case "signature=": signature += "="; break;
            case "signature==": signature = "c2ln=="; break;
            case "signature ": signature = "c2 k"; break;
            case "signature\n": signature += "\n"; break;
            case "signatureLastBit": signature = "c2l"; break;
            case "signatureMod1": signature = "c2lnc"; break;
            case "signatureStd": signature = "c2/+"; break;
            case "header=": header += "="; break;
            case "header ": header = " " + header; break;
            case "headerLastBit": header = FlipUnusedBit(header); break;
        }

        var jwt = DecodedJwt.TryDecode(header + "." + payload + "." + signature, out var problem);

        Assert.That(jwt, Is.Null);
        Assert.That(problem, Is.EqualTo("malformed JWT: the " + reason));
    }

    [TestCase("""{"alg":"RS256","crit":["exp"],"exp":1}""")]
    [TestCase("""{"alg":"RS256","crit":[]}""")]
    [TestCase("""{"alg":"RS256","crit":"b64"}""")]
    [TestCase("""{"alg":"RS256","crit":null}""")]
    [TestCase("""{"alg":"RS256","b64":false,"crit":["b64"]}""")]
    public void TryDecode_HeaderWithCrit_Malformed(string header)
    {
        var jwt = DecodedJwt.TryDecode(Jwt(header, Payload), out var problem);

        Assert.That(jwt, Is.Null);
        Assert.That(problem, Is.EqualTo("malformed JWT: the header has crit, and Flaat understands no JWS extension"));
    }

    [TestCase("""{"alg":"RS256","b64":false}""")]
    [TestCase("""{"alg":"RS256","b64":true}""")]
    public void TryDecode_HeaderWithB64_Malformed(string header)
    {
        DecodedJwt.TryDecode(Jwt(header, Payload), out var problem);

        Assert.That(problem, Does.Contain("b64"));
    }

    [TestCase("""{"alg":5}""", "malformed JWT: alg is not a string")]
    [TestCase("""{"alg":null}""", "malformed JWT: alg is not a string")]
    [TestCase("""{"alg":"RS256","kid":7}""", "malformed JWT: kid is not a string")]
    [TestCase("""{"alg":"RS256","kid":["a"]}""", "malformed JWT: kid is not a string")]
    [TestCase("""{"alg":"RS256","alg":"none"}""", "malformed JWT: the header is not a JSON object without duplicate members")]
    public void TryDecode_BadHeaderMember_Malformed(string header, string expected)
    {
        DecodedJwt.TryDecode(Jwt(header, Payload), out var problem);

        Assert.That(problem, Is.EqualTo(expected));
    }

    [TestCase("[]")]
    [TestCase("\"alg\"")]
    [TestCase("""[{"alg":"RS256"}]""")]
    [TestCase("""{"typ":"JWT"}""")]
    [TestCase("""{"alg":"RS256" """)]
    public void TryDecode_HeaderNotAnObjectWithAlg_Opaque(string header)
    {
        var jwt = DecodedJwt.TryDecode(Jwt(header, Payload), out var problem);

        Assert.That(jwt, Is.Null);
        Assert.That(problem, Is.Null);
    }

    [TestCase("[]", "malformed JWT: the payload is not a JSON object")]
    [TestCase("42", "malformed JWT: the payload is not a JSON object")]
    [TestCase("null", "malformed JWT: the payload is not a JSON object")]
    [TestCase("""{"sub":"a" """, "malformed JWT: the payload is not a JSON object without duplicate members")]
    [TestCase("""{"sub":"a","sub":"b"}""", "malformed JWT: the payload is not a JSON object without duplicate members")]
    [TestCase("""{"iss":7}""", "malformed JWT: iss is not a string")]
    [TestCase("""{"iss":null}""", "malformed JWT: iss is not a string")]
    [TestCase("""{"iss":["https://op.example"]}""", "malformed JWT: iss is not a string")]
    [TestCase("""{"sub":"a","\ud800":1}""", "malformed JWT: the payload has a string that is not valid Unicode")]
    [TestCase("""{"sub":"\udc00"}""", "malformed JWT: the payload has a string that is not valid Unicode")]
    public void TryDecode_BadPayload_Malformed(string payload, string expected)
    {
        DecodedJwt.TryDecode(Jwt(Header, payload), out var problem);

        Assert.That(problem, Is.EqualTo(expected));
    }

    [TestCase("exp", "\"1767272400\"")]
    [TestCase("exp", "null")]
    [TestCase("nbf", "null")]
    [TestCase("nbf", "\"0\"")]
    [TestCase("exp", "true")]
    [TestCase("exp", "{}")]
    [TestCase("exp", "-1")]
    [TestCase("exp", "253402300800")]
    [TestCase("nbf", "1e300")]
    public void TryDecode_TimeNotANumericDate_Malformed(string claim, string value)
    {
        DecodedJwt.TryDecode(Jwt(Header, $$"""{"{{claim}}":{{value}}}"""), out var problem);

        Assert.That(problem, Does.StartWith("malformed JWT: exp or nbf is not a NumericDate"));
    }

    [TestCase("0")]
    [TestCase("253402300799")]
    [TestCase("1767272400.5")]
    public void TryDecode_TimeInRange_Decoded(string value)
    {
        var jwt = DecodedJwt.TryDecode(Jwt(Header, $$"""{"exp":{{value}},"nbf":{{value}}}"""), out var problem);

        Assert.That(problem, Is.Null);
        Assert.That(jwt!.ExpiresAt, Is.EqualTo(jwt.NotBefore));
    }

    [Test]
    public void TryDecode_PayloadAtTheSizeCap_DecodedAndOneCharacterMoreMalformed()
    {
        // A payload part of exactly MaxPartLength characters (a multiple of 4): {"x":"aaa...a"}.
        var jsonLength = DecodedJwt.MaxPartLength / 4 * 3;
        var atCap = Part("{\"x\":\"" + new string('a', jsonLength - 8) + "\"}");
        var overCap = Part("{\"x\":\"" + new string('a', jsonLength - 7) + "\"}");
        Assert.That(atCap, Has.Length.EqualTo(DecodedJwt.MaxPartLength));
        Assert.That(overCap, Has.Length.GreaterThan(DecodedJwt.MaxPartLength));

        var decoded = DecodedJwt.TryDecode(Part(Header) + "." + atCap + ".c2ln", out var atCapProblem);
        DecodedJwt.TryDecode(Part(Header) + "." + overCap + ".c2ln", out var overCapProblem);

        Assert.That(atCapProblem, Is.Null);
        Assert.That(decoded, Is.Not.Null);
        Assert.That(overCapProblem, Is.EqualTo($"malformed JWT: the payload is longer than {DecodedJwt.MaxPartLength} characters"));
    }

    [Test]
    public void TryDecode_SignatureOverTheSizeCap_Malformed()
    {
        DecodedJwt.TryDecode(Jwt(Header, Payload, new string('A', DecodedJwt.MaxPartLength + 4)), out var problem);

        Assert.That(problem, Is.EqualTo($"malformed JWT: the signature is longer than {DecodedJwt.MaxPartLength} characters"));
    }

    [Test]
    public void Decode_MalformedJwt_Refused401WithTheReason()
    {
        var error = DecodedJwt.Decode(Jwt("""{"alg":"RS256","crit":[]}""", Payload)).Error;

        Assert.That(error?.StatusCode, Is.EqualTo(401));
        Assert.That(error!.Description, Does.StartWith("malformed JWT: "));
    }

    [Test]
    public void Decode_Opaque_Null() =>
        Assert.That(DecodedJwt.Decode("a+.b.c").Value, Is.Null);

    [TestCase(-31, true)]
    [TestCase(-30, true)]
    [TestCase(0, true)]
    [TestCase(30, true)]
    [TestCase(31, false)]
    public void LifetimeProblem_AtTheEdgesOfExpPlusSkew_ValidThroughExpPlusSkewInclusive(int secondsAfterExp, bool valid)
    {
        var exp = Now.ToUnixTimeSeconds();
        var jwt = DecodedJwt.TryDecode(Jwt(Header, $$"""{"exp":{{exp}}}"""), out _)!;

        var problem = jwt.LifetimeProblem(Now.AddSeconds(secondsAfterExp), TimeSpan.FromSeconds(30));

        Assert.That(problem, valid ? Is.Null : Is.EqualTo("Token has expired"));
    }

    [Test]
    public void LifetimeProblem_OneTickAfterExpPlusSkew_Expired()
    {
        var jwt = DecodedJwt.TryDecode(Jwt(Header, $$"""{"exp":{{Now.ToUnixTimeSeconds()}}}"""), out _)!;

        Assert.That(jwt.LifetimeProblem(Now.AddSeconds(30).AddTicks(1), TimeSpan.FromSeconds(30)), Is.EqualTo("Token has expired"));
    }

    [TestCase(-31, false)]
    [TestCase(-30, true)]
    [TestCase(0, true)]
    public void LifetimeProblem_AtTheEdgeOfNbfMinusSkew_ValidFromNbfMinusSkewInclusive(int secondsAfterNbf, bool valid)
    {
        var jwt = DecodedJwt.TryDecode(Jwt(Header, $$"""{"nbf":{{Now.ToUnixTimeSeconds()}}}"""), out _)!;

        var problem = jwt.LifetimeProblem(Now.AddSeconds(secondsAfterNbf), TimeSpan.FromSeconds(30));

        Assert.That(problem, valid ? Is.Null : Is.EqualTo("Token is not valid yet"));
    }

    [Test]
    public void LifetimeProblem_OneTickBeforeNbfMinusSkew_NotValidYet()
    {
        var jwt = DecodedJwt.TryDecode(Jwt(Header, $$"""{"nbf":{{Now.ToUnixTimeSeconds()}}}"""), out _)!;

        Assert.That(jwt.LifetimeProblem(Now.AddSeconds(-30).AddTicks(-1), TimeSpan.FromSeconds(30)), Is.EqualTo("Token is not valid yet"));
    }

    [TestCase("\"\\ud800\"")]
    [TestCase("\"a\\udfffb\"")]
    public void TryDecode_EscapedLoneSurrogate_MalformedNotThrown(string json)
    {
        DecodedJwt.TryDecode(Jwt("{\"alg\":\"RS256\"}", "{\"iss\":" + json + "}"), out var problem);

        Assert.That(problem, Is.EqualTo("malformed JWT: the payload has a string that is not valid Unicode"));
    }

    [Test]
    public void TryDecode_InvalidUtf8InTheAlg_MalformedNotThrown()
    {
        // {"alg":"R<0xFF>"}: the parser accepts it, reading the string would throw.
        byte[] header = [.. "{\"alg\":\"R"u8, 0xFF, .. "\"}"u8];
        var token = EngineTestKit.B64(header) + "." + Part("{}") + ".";

        DecodedJwt.TryDecode(token, out var problem);

        Assert.That(problem, Is.EqualTo("malformed JWT: the header is not UTF-8"));
    }

    /// <summary>Sets the lowest unused bit of the last character of a part whose length is not a multiple of 4.</summary>
    internal static string FlipUnusedBit(string part)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var value = alphabet.IndexOf(part[^1], StringComparison.Ordinal);
        return part[..^1] + alphabet[value ^ 1];
    }
}
