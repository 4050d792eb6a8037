using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace Flaat.Tokens;

/// <summary>
/// A token that decodes as a compact JWS (three base64url parts, a JSON header with <c>alg</c> and a
/// JSON object body). Anything else is an opaque token, as in flaat. Nothing here is verified.
/// </summary>
internal sealed class DecodedJwt
{
    private DecodedJwt(string token, int signingInputLength, JsonElement header, JsonElement body, string algorithm)
    {
        Token = token;
        SigningInputLength = signingInputLength;
        Header = header;
        Body = body;
        Algorithm = algorithm;
        KeyId = ReadString(header, "kid");
        Issuer = ReadString(body, "iss");
        ExpiresAt = ReadTime(body, "exp");
        NotBefore = ReadTime(body, "nbf");
    }

    public string Token { get; }

    /// <summary>The length of <c>header.payload</c>, the signed part of the token.</summary>
    public int SigningInputLength { get; }

    public JsonElement Header { get; }

    public JsonElement Body { get; }

    public string Algorithm { get; }

    public string? KeyId { get; }

    public string? Issuer { get; }

    public DateTimeOffset? ExpiresAt { get; }

    public DateTimeOffset? NotBefore { get; }

    /// <summary>The signature part as it stood in the token (base64url, no padding).</summary>
    public string EncodedSignature => Token[(SigningInputLength + 1)..];

    /// <summary>Whether <c>exp</c> or <c>nbf</c> is present but not a number (such a token is refused).</summary>
    public bool HasMalformedTimes =>
        (Body.TryGetProperty("exp", out var exp) && ExpiresAt is null && exp.ValueKind != JsonValueKind.Null)
        || (Body.TryGetProperty("nbf", out var nbf) && NotBefore is null && nbf.ValueKind != JsonValueKind.Null);

    /// <summary>
    /// Refuses a token that is not valid at <paramref name="now"/> (allowing <paramref name="clockSkew"/>), or
    /// whose <c>exp</c> or <c>nbf</c> is malformed. The one lifetime check of the engine and the JWKS client.
    /// </summary>
    /// <exception cref="FlaatUnauthenticatedException">The token has expired, is not valid yet, or has malformed times.</exception>
    public void EnsureCurrent(DateTimeOffset now, TimeSpan clockSkew)
    {
        if (HasMalformedTimes)
        {
            throw new FlaatUnauthenticatedException("Token has a malformed exp or nbf claim");
        }

        if (ExpiresAt is { } expiresAt && now > expiresAt + clockSkew)
        {
            throw new FlaatUnauthenticatedException("Token has expired");
        }

        if (NotBefore is { } notBefore && now + clockSkew < notBefore)
        {
            throw new FlaatUnauthenticatedException("Token is not valid yet");
        }
    }

    /// <summary>Decodes a token; <see langword="null"/> when it is not a JWS (then it is opaque).</summary>
    public static DecodedJwt? TryDecode(string token)
    {
        var first = token.IndexOf('.', StringComparison.Ordinal);
        if (first <= 0)
        {
            return null;
        }

        var second = token.IndexOf('.', first + 1);
        if (second <= first + 1 || token.IndexOf('.', second + 1) >= 0)
        {
            return null;
        }

        var header = TryParseObject(token.AsSpan(0, first));
        if (header is not { } headerElement
            || !headerElement.TryGetProperty("alg", out var alg)
            || alg.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var body = TryParseObject(token.AsSpan(first + 1, second - first - 1));
        if (body is not { } bodyElement)
        {
            return null;
        }

        var signature = token.AsSpan(second + 1);
        if (!Base64Url.IsValid(signature))
        {
            return null;
        }

        return new DecodedJwt(token, second, headerElement, bodyElement, alg.GetString()!);
    }

    /// <summary>The signature bytes; <see langword="null"/> when they do not decode.</summary>
    public byte[]? DecodeSignature()
    {
        var part = Token.AsSpan(SigningInputLength + 1);
        var bytes = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        return Base64Url.TryDecodeFromChars(part, bytes, out var written) ? bytes.AsSpan(0, written).ToArray() : null;
    }

    /// <summary>The ASCII bytes of <c>header.payload</c>.</summary>
    public byte[] SigningInput()
    {
        var bytes = new byte[SigningInputLength];
        System.Text.Encoding.ASCII.GetBytes(Token.AsSpan(0, SigningInputLength), bytes);
        return bytes;
    }

    /// <summary>The public view of the token, with the algorithm it was verified with (if it was).</summary>
    public AccessTokenInfo ToAccessTokenInfo(string? verificationAlgorithm) =>
        new(Header, Body, EncodedSignature, verificationAlgorithm);

    private static JsonElement? TryParseObject(ReadOnlySpan<char> part)
    {
        if (part.IsEmpty || part.Length > 1 << 20)
        {
            return null;
        }

        var bytes = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        if (!Base64Url.TryDecodeFromChars(part, bytes, out var written))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes.AsMemory(0, written));
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? ReadString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? ReadTime(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        double seconds;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number))
        {
            seconds = number;
        }
        else if (value.ValueKind == JsonValueKind.String
                 && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            seconds = parsed;
        }
        else
        {
            return null;
        }

        if (double.IsNaN(seconds) || seconds < 0 || seconds > 253_402_300_799d)
        {
            return null;
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000d));
    }
}
