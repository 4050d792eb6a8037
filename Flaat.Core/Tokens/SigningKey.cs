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
    /// <c>enc</c>, Keycloak publishes them beside signing keys), keys whose <c>key_ops</c> lack
    /// <c>verify</c>, RSA keys under <see cref="KeyLimits.MinimumRsaKeySize"/> bits, unsupported types
    /// and broken key material.
    /// </summary>
    public static SigningKey? TryCreate(JsonWebKey jwk, KeyLimits limits)
    {
        if (!string.IsNullOrEmpty(jwk.Use) && jwk.Use != JsonWebKeyUseNames.Sig)
        {
            return null;
        }

        // RFC 7517 §4.3: key_ops, when given, lists what the key is for; a key not for "verify" verifies nothing.
        if (jwk.KeyOps.Count > 0 && !jwk.KeyOps.Contains("verify"))
        {
            return null;
        }

        try
        {
            SecurityKey? key = (jwk.Kty, jwk.Crv) switch
            {
                ("RSA", _) when !string.IsNullOrEmpty(jwk.N) && !string.IsNullOrEmpty(jwk.E) => RsaKey(jwk, limits.MinimumRsaKeySize),
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

    private static RsaSecurityKey? RsaKey(JsonWebKey jwk, int minimumBits)
    {
        var modulus = Base64UrlEncoder.DecodeBytes(jwk.N);
        return BitLength(modulus) < minimumBits
            ? null
            : new RsaSecurityKey(new RSAParameters { Modulus = modulus, Exponent = Base64UrlEncoder.DecodeBytes(jwk.E) });
    }

    /// <summary>The bit length of a big-endian unsigned integer (leading zero bytes do not count).</summary>
    internal static int BitLength(ReadOnlySpan<byte> number)
    {
        var start = 0;
        while (start < number.Length && number[start] == 0)
        {
            start++;
        }

        return start == number.Length ? 0 : ((number.Length - start - 1) * 8) + (32 - System.Numerics.BitOperations.LeadingZeroCount(number[start]));
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

/// <summary>The limits that keep a key set, and the work one token can cause with it, small (see <see cref="FlaatKeyOptions"/>).</summary>
internal sealed record KeyLimits(int MinimumRsaKeySize, int MaxKeysPerSet, int MaxSignatureAttempts)
{
    public static KeyLimits From(FlaatKeyOptions options) => new(options.MinimumRsaKeySize, options.MaxKeysPerSet, options.MaxSignatureAttempts);
}

/// <summary>An issuer's usable verification keys at one moment.</summary>
internal sealed class KeySet
{
    public KeySet(IReadOnlyList<SigningKey> keys, int skipped, int ignored = 0, int maxSignatureAttempts = int.MaxValue)
    {
        Keys = keys;
        Skipped = skipped;
        Ignored = ignored;
        MaxSignatureAttempts = maxSignatureAttempts;
    }

    public IReadOnlyList<SigningKey> Keys { get; }

    /// <summary>How many JWKs were left out (encryption keys, unsupported, too weak or broken ones).</summary>
    public int Skipped { get; }

    /// <summary>How many JWKs were ignored, unread, beyond <see cref="KeyLimits.MaxKeysPerSet"/>.</summary>
    public int Ignored { get; }

    /// <summary>The most keys one token's signature is tried against.</summary>
    public int MaxSignatureAttempts { get; }

    /// <summary>
    /// Parses a JWKS document; <see langword="null"/> when it is not one. At most
    /// <see cref="KeyLimits.MaxKeysPerSet"/> usable keys are kept, in document order; the rest are ignored.
    /// </summary>
    public static KeySet? TryParse(string json, KeyLimits limits)
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

        var keys = new List<SigningKey>(Math.Min(set.Keys.Count, limits.MaxKeysPerSet));
        var read = 0;
        foreach (var jwk in set.Keys)
        {
            if (keys.Count == limits.MaxKeysPerSet)
            {
                break;
            }

            read++;
            if (SigningKey.TryCreate(jwk, limits) is { } key)
            {
                keys.Add(key);
            }
        }

        return new KeySet(keys, read - keys.Count, set.Keys.Count - read, limits.MaxSignatureAttempts);
    }

    /// <summary>Every key that may verify a token with this <c>kid</c> (or none) and algorithm, in order.</summary>
    public List<SigningKey> Fitting(string? keyId, string algorithm)
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

    /// <summary>
    /// The keys one token's signature is tried against: <see cref="Fitting"/>, or <see langword="null"/>
    /// with the reason (<paramref name="problem"/>) when there are more than <see cref="MaxSignatureAttempts"/>
    /// (a kid-less token must not cost a signature check per key of a large set). Shared by the engine and
    /// <see cref="FlaatJwksClient"/> through <see cref="JwtValidator"/>.
    /// </summary>
    public List<SigningKey>? Candidates(string? keyId, string algorithm, out string? problem)
    {
        var result = Fitting(keyId, algorithm);
        if (result.Count > MaxSignatureAttempts)
        {
            problem = keyId is null
                ? $"Token names no key (kid) and too many keys fit: {result.Count}, more than {MaxSignatureAttempts}"
                : $"Token's key id names too many keys: {result.Count}, more than {MaxSignatureAttempts}";
            return null;
        }

        problem = null;
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
