using System.Buffers.Text;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Flaat.Tokens;

namespace Flaat.Tests.Core.Tokens;

/// <summary>
/// Generated inputs for JWT decoding: whatever a client sends, decoding never throws, ends in one of
/// three outcomes (opaque, malformed with a reason, a JWT), and a JWT is in its one canonical spelling.
/// </summary>
public sealed class DecodedJwtPropertyTests
{
    private const string UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    // Canonical characters, the ones that make a spelling non-canonical, and a few odd ones.
    private const string TokenChars = UrlAlphabet + "+/= \t\r\n.~!%\"{}\u00e9\u0000\uffff";

    private static readonly string[] Headers =
    [
        """{"alg":"RS256"}""", """{"alg":"ES256","kid":"k"}""", """{"alg":"none"}""", """{"alg":"HS256","typ":"JWT"}""",
        """{"alg":"RS256","crit":["exp"]}""", """{"alg":"RS256","crit":[]}""", """{"alg":"RS256","crit":"x"}""",
        """{"alg":"RS256","b64":false,"crit":["b64"]}""", """{"alg":"RS256","b64":true}""", """{"alg":7}""",
        """{"alg":"RS256","kid":1}""", """{"alg":"RS256","alg":"none"}""", """{"typ":"JWT"}""", "[]", "\"x\"", "{",
        "{}", """{"alg":"EdDSA","kid":"\u00e9"}""",
        // Property names that are no text (escaped lone surrogates), before and after alg: the lookup of alg reads them.
        """{"alg":"ES256","\ud800":0}""", """{"\udc00":0,"alg":"ES256"}""", """{"\ud800":0}""",
    ];

    private static readonly string[] Payloads =
    [
        """{"iss":"https://op.example","sub":"a","exp":1767272400}""", """{"sub":"a"}""", "{}", "[]", "42", "null",
        """{"exp":"1767272400"}""", """{"exp":null}""", """{"nbf":null}""", """{"nbf":-1}""", """{"exp":1e400}""",
        """{"exp":253402300800}""", """{"exp":253402300799.9}""", """{"iss":5}""", """{"iss":null}""",
        """{"sub":"a","sub":"b"}""", """{"a":""" + new string('[', 100) + new string(']', 100) + "}", "{\"a\":\"\\ud800\"}", "{\"\\ud800\":1}",
    ];

    private static readonly TestKey Key = TestKey.Create("ES256", kid: "k");

    /// <summary>Valid ES256 JWTs whose header, payload and signature lengths cover every length mod 4.</summary>
    private static readonly string[] ValidTokens = Enumerable.Range(0, 12).Select(i =>
        EngineTestKit.Sign(
            new JsonObject { ["alg"] = "ES256", ["kid"] = new string('k', i % 3 + 1) },
            new JsonObject { ["iss"] = "https://op.example", ["sub"] = new string('s', i), ["exp"] = 1767272400 },
            Key.Sign))
        .Concat(["eyJhbGciOiJSUzI1NiJ9.e30.", DecodedJwtTests.Jwt("""{"alg":"RS256"}""", "{}", "AB")])
        .ToArray();

    private static readonly Gen<string> RandomText = Gen.Char[TokenChars].Array[0, 40].Select(chars => new string(chars));

    private static readonly Gen<string> UrlText = Gen.Char[UrlAlphabet].Array[0, 40].Select(chars => new string(chars));

    /// <summary>Dot-separated parts, mostly base64url, sometimes JSON-bearing, sometimes noise.</summary>
    private static readonly Gen<string> NearJwt = Gen.Frequency(
            Weight(4, UrlText), Weight(2, RandomText), Weight(3, Gen.OneOf(Headers).Select(Encode)), Weight(3, Gen.OneOf(Payloads).Select(Encode)))
        .Array[1, 5]
        .Select(parts => string.Join('.', parts));

    /// <summary>Header × payload × signature from the lists above, canonically encoded.</summary>
    private static readonly Gen<string> JsonJwt = Gen.Select(Gen.OneOf(Headers), Gen.OneOf(Payloads), UrlText,
        (header, payload, signature) => Encode(header) + "." + Encode(payload) + "." + signature);

    private static readonly Gen<string> MutatedJwt = Gen.Select(Gen.OneOf(ValidTokens), Gen.Int[0, 9], Gen.Int[0, int.MaxValue], Gen.Char[TokenChars],
        (token, kind, position, c) => Mutate(token, kind, position, c));

    private static readonly Gen<string> HugeJwt = Gen.Select(Gen.Int[0, 2], Gen.Int[DecodedJwt.MaxPartLength - 4, DecodedJwt.MaxPartLength + 4],
        (part, length) =>
        {
            var parts = ValidTokens[0].Split('.');
            parts[part] = new string('A', length);
            return string.Join('.', parts);
        });

    private static readonly Gen<string> AnyInput = Gen.Frequency(
        Weight(20, RandomText), Weight(25, NearJwt), Weight(20, JsonJwt), Weight(35, MutatedJwt));

    [Test]
    public void TryDecode_GeneratedInputs_NeverThrowsAndDecodesOnlyCanonicalJwts()
    {
        int opaque = 0, malformed = 0, decoded = 0;

        AnyInput.Sample(token => HasAllowedOutcome(token, ref opaque, ref malformed, ref decoded), iter: 150_000);

        // The generators reach each outcome often, not only noise.
        Assert.That(opaque, Is.GreaterThan(10_000));
        Assert.That(malformed, Is.GreaterThan(10_000));
        Assert.That(decoded, Is.GreaterThan(5_000));
    }

    [Test]
    public void TryDecode_PartsAroundTheSizeCap_NeverThrowsAndOutcomeAllowed()
    {
        int opaque = 0, malformed = 0, decoded = 0;

        // Few iterations: each input is a megabyte.
        HugeJwt.Sample(token => HasAllowedOutcome(token, ref opaque, ref malformed, ref decoded), iter: 100);

        Assert.That(malformed, Is.Positive);
    }

    [Test]
    public void TryDecode_NonCanonicalRespellingOfASignedJwt_AlwaysMalformed()
    {
        var keys = KeySet.TryParse(new JsonObject { ["keys"] = new JsonArray(Key.Jwk.DeepClone()) }.ToJsonString(), KeyLimits.From(new FlaatKeyOptions()))!;
        foreach (var token in ValidTokens.Take(12))
        {
            var original = DecodedJwt.TryDecode(token, out _)!;
            Assert.That(SignatureVerifier.Verify(original, keys.Fitting(null, "ES256")), Is.True, "the originals verify");
        }

        var respelled = Gen.Select(Gen.OneOf(ValidTokens.Take(12).ToArray()), Gen.Int[0, 5], Gen.Int[0, int.MaxValue], Gen.OneOf(' ', '\t', '\n', '\r'),
            (token, kind, position, space) => (Token: token, Respelled: Respell(token, kind, position, space)));

        respelled.Sample(pair =>
        {
            if (pair.Respelled == pair.Token)
            {
                // This respelling did not apply to this token (no unused bits, no '-' or '_').
                return true;
            }

            return DecodedJwt.TryDecode(pair.Respelled, out var problem) is null
                && problem is not null
                && problem.StartsWith("malformed JWT: ", StringComparison.Ordinal);
        }, iter: 100_000);
    }

    private static bool HasAllowedOutcome(string token, ref int opaque, ref int malformed, ref int decoded)
    {
        var jwt = DecodedJwt.TryDecode(token, out var problem);
        if (jwt is not null)
        {
            Interlocked.Increment(ref decoded);
            return problem is null && IsCanonicalRespelling(token) && jwt.Token == token;
        }

        if (problem is null)
        {
            Interlocked.Increment(ref opaque);
            return true;
        }

        Interlocked.Increment(ref malformed);
        return problem.StartsWith("malformed JWT: ", StringComparison.Ordinal);
    }

    private static (int, IGen<string>) Weight(int weight, Gen<string> gen) => (weight, gen);

    private static string Encode(string json) => EngineTestKit.B64(Encoding.UTF8.GetBytes(json));

    /// <summary>
    /// Whether every part re-encodes to itself: decoded by the framework's (lenient) base64 decoder
    /// and encoded again as base64url, it gives the same text.
    /// </summary>
    private static bool IsCanonicalRespelling(string token)
    {
        foreach (var part in token.Split('.'))
        {
            var standard = part.Replace('-', '+').Replace('_', '/');
            standard += new string('=', (4 - (standard.Length % 4)) % 4);
            try
            {
                if (Base64Url.EncodeToString(Convert.FromBase64String(standard)) != part)
                {
                    return false;
                }
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The same token spelled differently: every way base64 decoders commonly tolerate.</summary>
    private static string Respell(string token, int kind, int position, char space)
    {
        var parts = token.Split('.');
        var index = position % 3;
        var part = parts[index];
        parts[index] = kind switch
        {
            0 => part.Insert(position % (part.Length + 1), space.ToString()),
            1 => part + "=",
            2 => part + "==",
            3 => part.Replace('-', '+').Replace('_', '/'),
            4 => part.Length % 4 == 0 ? part : DecodedJwtTests.FlipUnusedBit(part),
            _ => part.Length % 4 == 0 ? part : part[..^1] + UrlAlphabet[(UrlAlphabet.IndexOf(part[^1], StringComparison.Ordinal) | (part.Length % 4 == 2 ? 0x0F : 0x03)) & 63],
        };
        return string.Join('.', parts);
    }

    /// <summary>A valid token with one blemish: a flipped, inserted or removed character, padding, whitespace, a part dropped or doubled.</summary>
    private static string Mutate(string token, int kind, int position, char c)
    {
        if (kind >= 6)
        {
            var parts = token.Split('.');
            var index = position % parts.Length;
            parts[index] = Respell(parts[0] + "." + parts[1] + "." + parts[2], kind - 6, position, c).Split('.')[index];
            return string.Join('.', parts);
        }

        var at = position % (token.Length + 1);
        return kind switch
        {
            0 => at < token.Length ? string.Concat(token.AsSpan(0, at), c.ToString(), token.AsSpan(at + 1)) : token + c,
            1 => token.Insert(at, c.ToString()),
            2 => at < token.Length ? token.Remove(at, 1) : token[..^1],
            3 => token + "=",
            4 => token + "." + token.Split('.')[position % 3],
            _ => token.Remove(token.LastIndexOf('.')),
        };
    }
}
