using Microsoft.IdentityModel.Tokens;

namespace Flaat.Tokens;

/// <summary>
/// Checks a JWS signature against candidate keys with Microsoft.IdentityModel's crypto, extended
/// by BouncyCastle for EdDSA and ES256K.
/// </summary>
internal static class SignatureVerifier
{
    private static readonly CryptoProviderFactory Factory = new()
    {
        CustomCryptoProvider = new BouncyCastleCryptoProvider(),
    };

    /// <summary>Whether one of <paramref name="candidates"/> verifies the token's signature.</summary>
    public static bool Verify(DecodedJwt jwt, IReadOnlyList<SigningKey> candidates)
    {
        var signature = jwt.DecodeSignature();
        if (signature.Length == 0)
        {
            return false;
        }

        var input = jwt.SigningInput();
        foreach (var candidate in candidates)
        {
            if (Verify(candidate.Key, jwt.Algorithm, input, signature))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether <paramref name="key"/> verifies <paramref name="signature"/> over <paramref name="input"/>, under a
    /// token's rules: the algorithm must be accepted and fit the key. The seam of the public signature test
    /// vectors, whose messages are raw bytes rather than JWS signing inputs.
    /// </summary>
    public static bool Verify(SigningKey key, string algorithm, byte[] input, byte[] signature) =>
        SigningAlgorithms.Refusal(algorithm) is null
        && key.Fits(algorithm)
        && signature.Length > 0
        && Verify(key.Key, algorithm, input, signature);

    private static bool Verify(SecurityKey key, string algorithm, byte[] input, byte[] signature)
    {
        SignatureProvider provider;
        try
        {
            provider = Factory.CreateForVerifying(key, algorithm);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException or InvalidOperationException)
        {
            // A key IdentityModel refuses (too small, wrong type) verifies nothing.
            return false;
        }

        try
        {
            return provider.Verify(input, signature);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            return false;
        }
        finally
        {
            Factory.ReleaseSignatureProvider(provider);
        }
    }
}
