using System.Text.Json;

namespace Flaat.Tokens;

/// <summary>How a token is decoded: the rules that tell a JWT from an opaque token, and a JWT from a malformed one.</summary>
internal sealed partial class DecodedJwt
{
    /// <summary>The largest NumericDate accepted: 9999-12-31T23:59:59Z.</summary>
    private const double MaxNumericDate = 253_402_300_799d;

    /// <summary>
    /// Decodes a token: a JWT; <see langword="null"/> with <paramref name="problem"/> <see langword="null"/>
    /// for an opaque token; <see langword="null"/> with the reason ("malformed JWT: ...") for a token
    /// that is a JWT but is malformed. Never throws.
    /// </summary>
    public static DecodedJwt? TryDecode(string token, out string? problem)
    {
        problem = null;
        var first = token.IndexOf('.', StringComparison.Ordinal);
        if (first <= 0)
        {
            return null;
        }

        var headerPart = token.AsSpan(0, first);
        if (headerPart.Length > MaxPartLength || Base64UrlPart.DecodeLenient(headerPart) is not { } lenientHeader)
        {
            return null;
        }

        // Parsed once, strictly; only when that fails is the header looked at leniently, to tell a
        // malformed JWT from an opaque token.
        var strictHeader = ParseObject(lenientHeader, "header", out var headerProblem);
        if (strictHeader is { } parsed ? !parsed.TryGetProperty("alg", out _) : !LooksLikeJoseHeader(lenientHeader))
        {
            return null;
        }

        var dots = token.AsSpan().Count('.');
        if (dots != 2)
        {
            // A JWS with its signature cut off or a part added is no opaque token; five parts is a
            // JWE, which Flaat cannot read and leaves to the OP, as flaat does.
            problem = dots == 4 ? null : "malformed JWT: it is not three dot-separated parts";
            return null;
        }

        var second = token.IndexOf('.', first + 1);

        // From here on the token is a JWT: one spelling only.
        if (!Base64UrlPart.IsCanonical(headerPart))
        {
            problem = "malformed JWT: the header is not canonical base64url";
            return null;
        }

        if (strictHeader is not { } header)
        {
            problem = headerProblem;
            return null;
        }

        if (ReadHeader(header, out problem) is not { } joseHeader)
        {
            return null;
        }

        var payloadPart = token.AsSpan(first + 1, second - first - 1);
        if (DecodePart(payloadPart, "payload", out problem) is not { } payloadBytes
            || ParseObject(payloadBytes, "payload", out problem) is not { } body)
        {
            return null;
        }

        if (!TryReadString(body, "iss", out var issuer))
        {
            problem = "malformed JWT: iss is not a string";
            return null;
        }

        if (!TryReadTime(body, "exp", out var expiresAt) || !TryReadTime(body, "nbf", out var notBefore))
        {
            problem = "malformed JWT: exp or nbf is not a NumericDate (a JSON number from 0 to 253402300799)";
            return null;
        }

        var signaturePart = token.AsSpan(second + 1);
        if (signaturePart.Length > MaxPartLength)
        {
            problem = $"malformed JWT: the signature is longer than {MaxPartLength} characters";
            return null;
        }

        if (!Base64UrlPart.IsCanonical(signaturePart))
        {
            problem = "malformed JWT: the signature is not canonical base64url";
            return null;
        }

        return new DecodedJwt(token, second, header, body, joseHeader.Algorithm, joseHeader.KeyId, issuer, expiresAt, notBefore);
    }

    /// <summary>Whether bytes are a JSON object with an <c>alg</c> member (duplicates tolerated here: this only tells a JWT from an opaque token).</summary>
    private static bool LooksLikeJoseHeader(byte[] bytes)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("alg", out _);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            // InvalidOperationException: a property name that is not valid Unicode (an escaped lone
            // surrogate), which the member lookup has to read.
            return false;
        }
    }

    private static byte[]? DecodePart(ReadOnlySpan<char> part, string name, out string? problem)
    {
        if (part.Length > MaxPartLength)
        {
            problem = $"malformed JWT: the {name} is longer than {MaxPartLength} characters";
            return null;
        }

        if (part.IsEmpty)
        {
            problem = $"malformed JWT: the {name} is empty";
            return null;
        }

        if (!Base64UrlPart.IsCanonical(part))
        {
            problem = $"malformed JWT: the {name} is not canonical base64url";
            return null;
        }

        problem = null;
        return Base64UrlPart.DecodeLenient(part);
    }

    private static JsonElement? ParseObject(byte[] bytes, string name, out string? problem)
    {
        // Invalid UTF-8 or an escaped lone surrogate would throw later, wherever a claim is read.
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            problem = $"malformed JWT: the {name} is not UTF-8";
            return null;
        }

        var result = ReadableJson.ParseObject(bytes, out var root);
        problem = result switch
        {
            ReadableJson.Problem.None => null,
            ReadableJson.Problem.NotObject => $"malformed JWT: the {name} is not a JSON object",
            ReadableJson.Problem.Unreadable => $"malformed JWT: the {name} has a string that is not valid Unicode",
            _ => $"malformed JWT: the {name} is not a JSON object without duplicate members",
        };
        return problem is null ? root : null;
    }

    private static (string Algorithm, string? KeyId)? ReadHeader(JsonElement header, out string? problem)
    {
        problem = null;
        if (!header.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String)
        {
            problem = "malformed JWT: alg is not a string";
            return null;
        }

        if (!TryReadString(header, "kid", out var keyId))
        {
            problem = "malformed JWT: kid is not a string";
            return null;
        }

        if (header.TryGetProperty("crit", out _))
        {
            // RFC 7515 §4.1.11: an extension the recipient does not understand makes the JWS invalid;
            // Flaat understands none, so any crit (even empty or not an array) is refused.
            problem = "malformed JWT: the header has crit, and Flaat understands no JWS extension";
            return null;
        }

        if (header.TryGetProperty("b64", out _))
        {
            // RFC 7797: b64 changes what is signed; Flaat verifies only the standard signing input.
            problem = "malformed JWT: the header has b64 (RFC 7797), which Flaat does not support";
            return null;
        }

        return (alg.GetString()!, keyId);
    }

    /// <summary>Reads an optional string member; <see langword="false"/> when it is present but not a string.</summary>
    private static bool TryReadString(JsonElement element, string name, out string? value)
    {
        value = null;
        if (!element.TryGetProperty(name, out var member))
        {
            return true;
        }

        if (member.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = member.GetString();
        return true;
    }

    /// <summary>Reads an optional NumericDate; <see langword="false"/> when it is present but not a JSON number in range.</summary>
    private static bool TryReadTime(JsonElement element, string name, out DateTimeOffset? value)
    {
        value = null;
        if (!element.TryGetProperty(name, out var member))
        {
            return true;
        }

        if (member.ValueKind != JsonValueKind.Number
            || !member.TryGetDouble(out var seconds)
            || !double.IsFinite(seconds)
            || seconds < 0
            || seconds > MaxNumericDate)
        {
            return false;
        }

        value = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000d));
        return true;
    }
}
