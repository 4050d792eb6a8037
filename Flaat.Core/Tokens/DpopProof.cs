using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Flaat.Tokens;

/// <summary>What one request must match: its method and URL, the access token and the accepted algorithms.</summary>
/// <param name="Method">The request method (<c>htm</c>), compared exactly.</param>
/// <param name="Target">The request URL, normalised by <see cref="DpopTarget"/> (<c>htu</c>).</param>
/// <param name="AccessToken">The access token the proof must name by its hash (<c>ath</c>).</param>
/// <param name="Algorithms">The accepted signature algorithms.</param>
/// <param name="Now">The time.</param>
/// <param name="Lifetime">How long ago <c>iat</c> may lie: a proof is accepted while <c>iat</c> &gt;= <paramref name="Now"/> - lifetime (the edge included; the replay cache keeps its <c>jti</c> up to and including that instant).</param>
/// <param name="Thumbprint">The token's <c>cnf.jkt</c> when known: a proof by another key is refused before its key is imported or its signature checked.</param>
/// <param name="FutureSkew">How far <c>iat</c> may lie ahead of <paramref name="Now"/> (the client's clock running fast; RFC 9449 section 11.1 asks for a short window).</param>
internal readonly record struct DpopExpectation(string Method, string Target, string AccessToken, IReadOnlySet<string> Algorithms, DateTimeOffset Now, TimeSpan Lifetime, string? Thumbprint = null, TimeSpan FutureSkew = default);

/// <summary>
/// A DPoP proof (RFC 9449 section 4) that passed every check of one request that needs no memory:
/// form, <c>typ</c>, algorithm, public key, <c>htm</c>, <c>htu</c>, <c>iat</c>, <c>ath</c> and the
/// signature. The <c>jti</c> replay check and the nonce are the caller's (they need state).
/// Checking never throws, whatever the proof holds.
/// </summary>
internal sealed class DpopProof
{
    /// <summary>The longest proof read, in characters.</summary>
    public const int MaxLength = 16_384;

    private DpopProof(string thumbprint, string jti, DateTimeOffset issuedAt, string? nonce)
    {
        Thumbprint = thumbprint;
        Jti = jti;
        IssuedAt = issuedAt;
        Nonce = nonce;
    }

    /// <summary>The RFC 7638 thumbprint of the proof's key (compared with the token's <c>cnf.jkt</c>).</summary>
    public string Thumbprint { get; }

    public string Jti { get; }

    public DateTimeOffset IssuedAt { get; }

    /// <summary>The proof's <c>nonce</c>, when it has one.</summary>
    public string? Nonce { get; }

    /// <summary>
    /// The key under which the replay cache remembers this proof: the SHA-256 of the key's
    /// thumbprint and the <c>jti</c> (so one client cannot use up another's identifiers, and no
    /// proof text is stored).
    /// </summary>
    public string ReplayKey()
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(Thumbprint + "." + Jti), hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>Checks a proof against a request; <see langword="null"/> with the reason when it fails.</summary>
    public static DpopProof? Check(string proof, in DpopExpectation expected, out string? problem)
    {
        if (proof.Length > MaxLength)
        {
            problem = $"the proof is longer than {MaxLength} characters";
            return null;
        }

        if (DecodedJwt.TryDecode(proof, out var decodeProblem) is not { } jwt)
        {
            problem = decodeProblem is null ? "the proof is not a JWS" : "the proof is a " + decodeProblem;
            return null;
        }

        // Media types compare case-insensitively (RFC 7515 section 4.1.9).
        if (!jwt.Header.TryGetProperty("typ", out var typ) || typ.ValueKind != JsonValueKind.String
            || typ.GetString() is not { } type
            || !(type.Equals("dpop+jwt", StringComparison.OrdinalIgnoreCase) || type.Equals("application/dpop+jwt", StringComparison.OrdinalIgnoreCase)))
        {
            problem = "the proof's typ is not dpop+jwt";
            return null;
        }

        if (!expected.Algorithms.Contains(jwt.Algorithm) || SigningAlgorithms.Refusal(jwt.Algorithm) is not null)
        {
            problem = "the proof's alg is not one of the accepted algorithms";
            return null;
        }

        if (!jwt.Header.TryGetProperty("jwk", out var jwk))
        {
            problem = "the proof has no jwk header";
            return null;
        }

        if (ClaimsProblem(jwt.Body, expected, out var jti, out var issuedAt, out var nonce) is { } claimsProblem)
        {
            problem = claimsProblem;
            return null;
        }

        if (DpopKey.TryRead(jwk, expected.Thumbprint, out problem) is not { } key)
        {
            return null;
        }

        if (!SignatureVerifier.Verify(key.Key, jwt.Algorithm, jwt.SigningInput(), jwt.DecodeSignature()))
        {
            problem = "the proof's signature does not verify under its jwk";
            return null;
        }

        problem = null;
        return new DpopProof(key.Thumbprint, jti!, issuedAt, nonce);
    }

    /// <summary>The base64url SHA-256 of the access token's ASCII bytes (RFC 9449 section 4.2, <c>ath</c>).</summary>
    public static string AccessTokenHash(string accessToken)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.ASCII.GetBytes(accessToken), hash);
        return System.Buffers.Text.Base64Url.EncodeToString(hash);
    }

    private static string? ClaimsProblem(JsonElement body, in DpopExpectation expected, out string? jti, out DateTimeOffset issuedAt, out string? nonce)
    {
        jti = null;
        nonce = null;
        issuedAt = default;
        if (!body.TryGetProperty("jti", out var jtiValue) || jtiValue.ValueKind != JsonValueKind.String
            || jtiValue.GetString() is not { Length: > 0 and <= 512 } id)
        {
            return "the proof has no jti (a string of 1 to 512 characters)";
        }

        if (!body.TryGetProperty("htm", out var htm) || htm.ValueKind != JsonValueKind.String || !htm.ValueEquals(expected.Method))
        {
            return "the proof's htm is not the request's method";
        }

        if (!body.TryGetProperty("htu", out var htu) || htu.ValueKind != JsonValueKind.String
            || DpopTarget.Normalize(htu.GetString()) is not { } target
            || !string.Equals(target, expected.Target, StringComparison.Ordinal))
        {
            return "the proof's htu is not the request's URL";
        }

        if (!body.TryGetProperty("iat", out var iat) || iat.ValueKind != JsonValueKind.Number
            || !iat.TryGetDouble(out var seconds) || !double.IsFinite(seconds) || seconds < 0 || seconds > 253_402_300_799d)
        {
            return "the proof has no iat (a NumericDate)";
        }

        issuedAt = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000d));
        if (issuedAt < expected.Now - expected.Lifetime)
        {
            return "the proof's iat is too old: proofs are accepted for " + (long)expected.Lifetime.TotalSeconds + " seconds";
        }

        if (issuedAt > expected.Now + expected.FutureSkew)
        {
            return "the proof's iat lies in the future (more than the allowed clock skew of " + (long)expected.FutureSkew.TotalSeconds + " seconds)";
        }

        if (!body.TryGetProperty("ath", out var ath) || ath.ValueKind != JsonValueKind.String
            || !ath.ValueEquals(AccessTokenHash(expected.AccessToken)))
        {
            return "the proof's ath is not the hash of the access token";
        }

        if (body.TryGetProperty("nonce", out var nonceValue))
        {
            if (nonceValue.ValueKind != JsonValueKind.String || nonceValue.GetString() is not { Length: > 0 and <= 512 } text)
            {
                return "the proof's nonce is not a string of 1 to 512 characters";
            }

            nonce = text;
        }

        jti = id;
        return null;
    }
}
