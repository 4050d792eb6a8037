using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Flaat.Tokens;

/// <summary>
/// The public key in a DPoP proof's <c>jwk</c> header: refused when it carries private or
/// symmetric key material, made into a <see cref="SigningKey"/> (the one signature path of Flaat),
/// and named by its RFC 7638 SHA-256 thumbprint (the <c>jkt</c> a bound token's <c>cnf</c> holds).
/// </summary>
internal sealed class DpopKey
{
    // RFC 7517/7518: private (d, p, q, dp, dq, qi, oth) and symmetric (k) members.
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
    private static readonly KeyLimits Limits = new(MinimumRsaKeySize: 2048, MaxKeysPerSet: 1, MaxSignatureAttempts: 1);

    private DpopKey(SigningKey key, string thumbprint)
    {
        Key = key;
        Thumbprint = thumbprint;
    }

    public SigningKey Key { get; }

    /// <summary>The RFC 7638 SHA-256 thumbprint, base64url.</summary>
    public string Thumbprint { get; }

    // A client signs every proof with the same key: its jwk text comes again and again. Keys read
    // before are kept (at most MaxKept; then the memory starts afresh), so a proof costs a lookup
    // instead of a key import and a new signature provider. The same text is the same key.
    private const int MaxKept = 1024;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, DpopKey> Kept = new(StringComparer.Ordinal);

    /// <summary>The problem named when the key's thumbprint is not the one expected.</summary>
    public const string WrongKey = "the proof is signed with another key than the one the token is bound to";

    /// <summary>
    /// Reads the <c>jwk</c> header member; <see langword="null"/> with the reason when it is not a usable
    /// public key, or (<see cref="WrongKey"/>) when its RFC 7638 thumbprint, computed from the canonical
    /// JSON without any cryptography, is not <paramref name="expectedThumbprint"/>: only the bound key
    /// ever reaches a key import and a signature check.
    /// </summary>
    public static DpopKey? TryRead(JsonElement jwk, string? expectedThumbprint, out string? problem)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            problem = "the jwk header is not a JSON object";
            return null;
        }

        var text = jwk.GetRawText();
        if (Kept.TryGetValue(text, out var kept))
        {
            problem = expectedThumbprint is null || string.Equals(kept.Thumbprint, expectedThumbprint, StringComparison.Ordinal) ? null : WrongKey;
            return problem is null ? kept : null;
        }

        DpopKey? key;
        try
        {
            key = Read(jwk, expectedThumbprint, out problem);
        }
        catch (InvalidOperationException)
        {
            // A member name or value with an escaped lone surrogate (the proof's decoder refuses
            // those already; a JsonElement from elsewhere may hold them): no key, never an exception.
            problem = "the jwk header holds text that is not valid Unicode";
            return null;
        }

        if (key is null)
        {
            return null;
        }

        if (Kept.Count >= MaxKept)
        {
            Kept.Clear();
        }

        Kept.TryAdd(text, key);
        return key;
    }

    private static DpopKey? Read(JsonElement jwk, string? expectedThumbprint, out string? problem)
    {

        foreach (var member in PrivateMembers)
        {
            if (jwk.TryGetProperty(member, out _))
            {
                problem = $"the jwk header holds private or symmetric key material ({member}); a proof carries the public key only";
                return null;
            }
        }

        var kty = Text(jwk, "kty");
        var crv = Text(jwk, "crv");
        var x = Part(jwk, "x");
        string? canonical;
        JsonWebKey key;
        switch (kty)
        {
            case "EC" when crv is "P-256" or "P-384" or "P-521" or "secp256k1" && x is not null && Part(jwk, "y") is { } y:
                canonical = $$"""{"crv":"{{crv}}","kty":"EC","x":"{{x}}","y":"{{y}}"}""";
                key = new JsonWebKey { Kty = kty, Crv = crv, X = x, Y = y };
                break;
            case "OKP" when crv is "Ed25519" && x is not null:
                canonical = $$"""{"crv":"{{crv}}","kty":"OKP","x":"{{x}}"}""";
                key = new JsonWebKey { Kty = kty, Crv = crv, X = x };
                break;
            case "RSA" when Part(jwk, "n") is { } n && Part(jwk, "e") is { } e:
                canonical = $$"""{"e":"{{e}}","kty":"RSA","n":"{{n}}"}""";
                key = new JsonWebKey { Kty = kty, N = n, E = e };
                break;
            default:
                problem = "the jwk header is not an EC, OKP or RSA public key with all its members as base64url strings";
                return null;
        }

        if (Text(jwk, "use") is { } use && use != "sig")
        {
            problem = "the jwk header's key is not for signatures (use)";
            return null;
        }

        var thumbprint = ComputeThumbprint(canonical);
        if (expectedThumbprint is not null && !string.Equals(thumbprint, expectedThumbprint, StringComparison.Ordinal))
        {
            problem = WrongKey;
            return null;
        }

        if (kty == "RSA" && !IsModestRsaKey(key.N, key.E))
        {
            problem = "the jwk header's RSA key is not 2048 to 4096 bits with a small odd exponent";
            return null;
        }

        if (SigningKey.TryCreate(key, Limits) is not { } signingKey)
        {
            problem = "the jwk header's key is unusable (not on its curve, or an RSA key under 2048 bits)";
            return null;
        }

        problem = null;
        return new DpopKey(signingKey, thumbprint);
    }

    // A hostile proof must not cost more than a client's ordinary key: 2048 to 4096 bits, and an odd
    // exponent of at most 32 bits (65537 in practice); a huge exponent makes one check cost tens of ms.
    private static bool IsModestRsaKey(string n, string e)
    {
        if (n.Length > 684 || e.Length > 6)
        {
            return false;
        }

        var modulus = System.Buffers.Text.Base64Url.DecodeFromChars(n);
        var exponent = System.Buffers.Text.Base64Url.DecodeFromChars(e);
        var bits = SigningKey.BitLength(modulus);
        var significant = exponent.AsSpan().TrimStart((byte)0);
        return bits is >= 2048 and <= 4096 && significant.Length is > 0 and <= 4 && (significant[^1] & 1) == 1
            && !(significant.Length == 1 && significant[0] == 1);
    }

    /// <summary>The base64url SHA-256 of the UTF-8 (here ASCII) bytes of a JWK's canonical JSON (RFC 7638 section 3).</summary>
    public static string ComputeThumbprint(string canonicalJson)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var bytes = Encoding.UTF8.GetBytes(canonicalJson);
        SHA256.HashData(bytes, hash);
        return System.Buffers.Text.Base64Url.EncodeToString(hash);
    }

    // A string with a lone surrogate escape is valid JSON that GetString refuses with an exception: no key text.
    private static string? Text(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    // Key parts must be canonical base64url: one spelling, one thumbprint, nothing to escape in the canonical JSON.
    private static string? Part(JsonElement element, string name) =>
        Text(element, name) is { Length: > 0 and <= 2048 } value && Base64UrlPart.IsCanonical(value) ? value : null;
}
