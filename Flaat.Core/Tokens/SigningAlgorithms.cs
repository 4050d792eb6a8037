using Flaat.Errors;

namespace Flaat.Tokens;

/// <summary>
/// The signature algorithms Flaat accepts, and the key each one needs. <c>none</c> is never
/// accepted; HMAC (<c>HS*</c>) neither, so a public key can never be abused as an HMAC secret.
/// </summary>
internal static class SigningAlgorithms
{
    public const string EdDsa = "EdDSA";
    public const string Es256K = "ES256K";

    /// <summary>Why an algorithm is refused, or <see langword="null"/> when it is accepted.</summary>
    public static string? Refusal(string algorithm) => algorithm switch
    {
        "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512"
            or "ES256" or "ES384" or "ES512" or Es256K or EdDsa => null,
        _ when algorithm.Equals("none", StringComparison.OrdinalIgnoreCase) => "Unsigned tokens (alg none) are not accepted",
        _ when algorithm.StartsWith("HS", StringComparison.OrdinalIgnoreCase) => $"Algorithm {ErrorText.Shorten(algorithm)} is not accepted: HMAC tokens cannot be verified with an OP's public keys",
        _ => $"Algorithm {ErrorText.Shorten(algorithm)} is not accepted",
    };

    /// <summary>Whether a key of type <paramref name="keyType"/> on curve <paramref name="curve"/> can verify <paramref name="algorithm"/>.</summary>
    public static bool Fits(string algorithm, string keyType, string? curve) => algorithm switch
    {
        "RS256" or "RS384" or "RS512" or "PS256" or "PS384" or "PS512" => keyType == "RSA",
        "ES256" => keyType == "EC" && curve == "P-256",
        "ES384" => keyType == "EC" && curve == "P-384",
        "ES512" => keyType == "EC" && curve == "P-521",
        Es256K => keyType == "EC" && curve == "secp256k1",
        EdDsa => keyType == "OKP" && curve == "Ed25519",
        _ => false,
    };
}
