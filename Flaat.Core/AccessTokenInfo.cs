using System.Text.Json;

namespace Flaat;

/// <summary>
/// What Flaat read from a JWT access token: its JOSE header, its payload and its signature, and
/// how (or whether) it was verified. Opaque tokens have no <see cref="AccessTokenInfo"/>.
/// </summary>
public sealed class AccessTokenInfo
{
    /// <summary>Creates the info of a decoded JWT.</summary>
    /// <param name="header">The JOSE header, a JSON object.</param>
    /// <param name="body">The payload, a JSON object.</param>
    /// <param name="signature">The signature part, base64url without padding, as it stood in the token.</param>
    /// <param name="verificationAlgorithm">The algorithm the signature was verified with, or <see langword="null"/> when it was not verified.</param>
    /// <exception cref="ArgumentException">The header or body is not a JSON object.</exception>
    public AccessTokenInfo(JsonElement header, JsonElement body, string signature, string? verificationAlgorithm)
    {
        ArgumentNullException.ThrowIfNull(signature);
        Header = ClaimSet.From(header, nameof(header));
        Body = ClaimSet.From(body, nameof(body));
        Signature = signature;
        VerificationAlgorithm = verificationAlgorithm;
    }

    /// <summary>The JOSE header (<c>alg</c>, <c>kid</c>, <c>typ</c>, ...).</summary>
    public IReadOnlyDictionary<string, JsonElement> Header { get; }

    /// <summary>The payload claims.</summary>
    public IReadOnlyDictionary<string, JsonElement> Body { get; }

    /// <summary>The JWS signature, base64url encoded without padding.</summary>
    public string Signature { get; }

    /// <summary>The algorithm the signature was verified with; <see langword="null"/> when the token was not verified.</summary>
    public string? VerificationAlgorithm { get; }

    /// <summary>Whether the signature was verified.</summary>
    public bool IsVerified => VerificationAlgorithm is not null;

    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("body");
        ClaimSet.WriteSorted(writer, Body);
        writer.WritePropertyName("header");
        ClaimSet.WriteSorted(writer, Header);
        writer.WriteString("signature", Signature);
        writer.WritePropertyName("verification");
        if (VerificationAlgorithm is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteString("algorithm", VerificationAlgorithm);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }
}
