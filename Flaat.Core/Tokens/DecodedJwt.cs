using System.Text.Json;
using Flaat.Errors;

namespace Flaat.Tokens;

/// <summary>
/// A token that decodes as a compact JWS (three base64url parts, a JSON header with <c>alg</c> and a
/// JSON object body). Nothing here is verified.
/// </summary>
/// <remarks>
/// <para>
/// The rule that tells a JWT from an opaque token, and a JWT from a malformed one (decoding never
/// throws; see <see cref="TryDecode"/>):
/// </para>
/// <list type="bullet">
/// <item>A token whose first part does not decode (even leniently: padding, whitespace, the
/// <c>+/</c> alphabet, stray low bits) as a JSON object with an <c>alg</c> member, or that has five
/// parts (a JWE), is <b>opaque</b>, as in flaat: it goes to the OP.</item>
/// <item>Otherwise it is a <b>JWT</b>, and it must then be spelled in exactly one way, or it is
/// <b>malformed</b> (401, "malformed JWT: ..."): three dot-separated parts, each canonical base64url (alphabet
/// <c>A-Z a-z 0-9 - _</c>, no padding, no whitespace, length mod 4 ≠ 1, unused low bits zero), the
/// header and body JSON objects without duplicate members, <c>alg</c>, <c>kid</c> and <c>iss</c>
/// strings when present, <c>exp</c> and <c>nbf</c> NumericDates (JSON numbers between 0 and
/// 253402300799) when present, no <c>crit</c> (Flaat understands no JWS extension) and no <c>b64</c>.
/// Each part is at most <see cref="MaxPartLength"/> characters.</item>
/// </list>
/// <para>
/// So one token has one spelling: a respelling never verifies, and never becomes another cache entry.
/// </para>
/// </remarks>
internal sealed partial class DecodedJwt
{
    /// <summary>The longest part (header, payload or signature) decoded, in characters.</summary>
    public const int MaxPartLength = 1 << 20;

    private DecodedJwt(string token, int signingInputLength, JsonElement header, JsonElement body, string algorithm, string? keyId, string? issuer, DateTimeOffset? expiresAt, DateTimeOffset? notBefore)
    {
        Token = token;
        SigningInputLength = signingInputLength;
        Header = header;
        Body = body;
        Algorithm = algorithm;
        KeyId = keyId;
        Issuer = issuer;
        ExpiresAt = expiresAt;
        NotBefore = notBefore;
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

    /// <summary>The signature part as it stood in the token (canonical base64url).</summary>
    public string EncodedSignature => Token[(SigningInputLength + 1)..];

    /// <summary>
    /// Why the token is not valid at <paramref name="now"/> (allowing <paramref name="clockSkew"/>), or
    /// <see langword="null"/> when it is: valid from <c>nbf - skew</c> through <c>exp + skew</c>, both ends
    /// included. The one lifetime check of the engine and the JWKS client (see <see cref="JwtValidator"/>).
    /// </summary>
    public string? LifetimeProblem(DateTimeOffset now, TimeSpan clockSkew)
    {
        if (ExpiresAt is { } expiresAt && now > expiresAt + clockSkew)
        {
            return "Token has expired";
        }

        if (NotBefore is { } notBefore && now + clockSkew < notBefore)
        {
            return "Token is not valid yet";
        }

        return null;
    }

    /// <summary>
    /// Decodes a token for the engine and the JWKS client: the JWT, <see langword="null"/> for an opaque
    /// token, or the 401 refusal of a token that is a JWT but is malformed.
    /// </summary>
    public static Result<DecodedJwt?> Decode(string token) =>
        TryDecode(token, out var problem) is { } jwt
            ? jwt
            : problem is null ? Result<DecodedJwt?>.Ok(null) : Result<DecodedJwt?>.Refuse(problem);

    /// <summary>The signature bytes (empty for <c>header.payload.</c>).</summary>
    public byte[] DecodeSignature() => Base64UrlPart.DecodeLenient(Token.AsSpan(SigningInputLength + 1)) ?? [];

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
}
