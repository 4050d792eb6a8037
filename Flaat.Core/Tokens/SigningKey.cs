using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Flaat.Tokens;

/// <summary>One usable verification key of an issuer's JWKS, already turned into a <see cref="SecurityKey"/>.</summary>
internal sealed class SigningKey
{
    private SigningKey(string? keyId, string keyType, string? curve, string? algorithm, SecurityKey key)
    {
        KeyId = keyId;
        KeyType = keyType;
        Curve = curve;
        Algorithm = algorithm;
        Key = key;
    }

    public string? KeyId { get; }

    public string KeyType { get; }

    public string? Curve { get; }

    /// <summary>The key's own <c>alg</c>, when the JWKS states one; then no other algorithm may use it.</summary>
    public string? Algorithm { get; }

    public SecurityKey Key { get; }

    /// <summary>Whether this key may verify a token signed with <paramref name="algorithm"/>.</summary>
    public bool Fits(string algorithm) =>
        (Algorithm is null || Algorithm == algorithm) && SigningAlgorithms.Fits(algorithm, KeyType, Curve);

    /// <summary>
    /// Turns a JWK into a verification key; <see langword="null"/> for encryption keys (<c>use</c> =
    /// <c>enc</c>, Keycloak publishes them beside signing keys), unsupported types and broken key material.
    /// </summary>
    public static SigningKey? TryCreate(JsonWebKey jwk)
    {
        if (!string.IsNullOrEmpty(jwk.Use) && jwk.Use != JsonWebKeyUseNames.Sig)
        {
            return null;
        }

        try
        {
            SecurityKey? key = (jwk.Kty, jwk.Crv) switch
            {
                ("RSA", _) when !string.IsNullOrEmpty(jwk.N) && !string.IsNullOrEmpty(jwk.E) =>
                    new RsaSecurityKey(new RSAParameters
                    {
                        Modulus = Base64UrlEncoder.DecodeBytes(jwk.N),
                        Exponent = Base64UrlEncoder.DecodeBytes(jwk.E),
                    }),
                ("EC", "P-256") => NistKey(jwk, ECCurve.NamedCurves.nistP256),
                ("EC", "P-384") => NistKey(jwk, ECCurve.NamedCurves.nistP384),
                ("EC", "P-521") => NistKey(jwk, ECCurve.NamedCurves.nistP521),
                ("EC", "secp256k1") or ("OKP", "Ed25519") => BouncyCastleSecurityKey.TryCreate(jwk),
                _ => null,
            };

            if (key is null)
            {
                return null;
            }

            key.KeyId = jwk.Kid;
            return new SigningKey(string.IsNullOrEmpty(jwk.Kid) ? null : jwk.Kid, jwk.Kty, string.IsNullOrEmpty(jwk.Crv) ? null : jwk.Crv, string.IsNullOrEmpty(jwk.Alg) ? null : jwk.Alg, key);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    private static ECDsaSecurityKey? NistKey(JsonWebKey jwk, ECCurve curve)
    {
        if (string.IsNullOrEmpty(jwk.X) || string.IsNullOrEmpty(jwk.Y))
        {
            return null;
        }

        var parameters = new ECParameters
        {
            Curve = curve,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes(jwk.X), Y = Base64UrlEncoder.DecodeBytes(jwk.Y) },
        };
        parameters.Validate();
        return new ECDsaSecurityKey(ECDsa.Create(parameters));
    }
}

/// <summary>An issuer's usable verification keys at one moment.</summary>
internal sealed class KeySet
{
    public KeySet(IReadOnlyList<SigningKey> keys, int skipped)
    {
        Keys = keys;
        Skipped = skipped;
    }

    public IReadOnlyList<SigningKey> Keys { get; }

    /// <summary>How many JWKs were left out (encryption keys, unsupported or broken ones).</summary>
    public int Skipped { get; }

    /// <summary>Parses a JWKS document; <see langword="null"/> when it is not one.</summary>
    public static KeySet? TryParse(string json)
    {
        JsonWebKeySet set;
        try
        {
            set = new JsonWebKeySet(json) { SkipUnresolvedJsonWebKeys = false };
        }
        catch (ArgumentException)
        {
            return null;
        }

        var keys = new List<SigningKey>(set.Keys.Count);
        foreach (var jwk in set.Keys)
        {
            if (SigningKey.TryCreate(jwk) is { } key)
            {
                keys.Add(key);
            }
        }

        return new KeySet(keys, set.Keys.Count - keys.Count);
    }

    /// <summary>The keys that may verify a token with this <c>kid</c> (or none) and algorithm.</summary>
    public List<SigningKey> Candidates(string? keyId, string algorithm)
    {
        var result = new List<SigningKey>(1);
        foreach (var key in Keys)
        {
            if ((keyId is null || key.KeyId == keyId) && key.Fits(algorithm))
            {
                result.Add(key);
            }
        }

        return result;
    }

    /// <summary>Whether any key carries this <c>kid</c>, whatever its type.</summary>
    public bool HasKeyId(string keyId)
    {
        foreach (var key in Keys)
        {
            if (key.KeyId == keyId)
            {
                return true;
            }
        }

        return false;
    }
}
