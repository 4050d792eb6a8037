using Microsoft.IdentityModel.Tokens;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;

namespace Flaat.Tokens;

/// <summary>
/// A public key for the algorithms Microsoft.IdentityModel does not implement — EdDSA (Ed25519) and
/// ES256K (secp256k1) — verified with BouncyCastle. It plugs into IdentityModel through
/// <see cref="CryptoProviderFactory.CustomCryptoProvider"/> (see <see cref="BouncyCastleCryptoProvider"/>).
/// </summary>
internal sealed class BouncyCastleSecurityKey : SecurityKey
{
    private static readonly X9ECParameters Secp256K1 = CustomNamedCurves.GetByName("secp256k1");
    private static readonly ECDomainParameters Secp256K1Domain = new(Secp256K1.Curve, Secp256K1.G, Secp256K1.N, Secp256K1.H, Secp256K1.GetSeed());

    private BouncyCastleSecurityKey(string algorithm, AsymmetricKeyParameter publicKey, int keySize)
    {
        Algorithm = algorithm;
        PublicKey = publicKey;
        KeySize = keySize;
        SignatureProvider = new BouncyCastleSignatureProvider(this);
    }

    /// <summary>The one algorithm this key verifies: <c>EdDSA</c> or <c>ES256K</c>.</summary>
    public string Algorithm { get; }

    public AsymmetricKeyParameter PublicKey { get; }

    /// <inheritdoc />
    public override int KeySize { get; }

    /// <summary>The (stateless, thread-safe) verifier of this key.</summary>
    public BouncyCastleSignatureProvider SignatureProvider { get; }

    /// <summary>Builds the key from an <c>OKP/Ed25519</c> or <c>EC/secp256k1</c> JWK; <see langword="null"/> when its material is broken.</summary>
    public static BouncyCastleSecurityKey? TryCreate(JsonWebKey jwk)
    {
        if (string.IsNullOrEmpty(jwk.X))
        {
            return null;
        }

        var x = Base64UrlEncoder.DecodeBytes(jwk.X);
        if (jwk.Kty == "OKP" && jwk.Crv == "Ed25519")
        {
            return x.Length == Ed25519PublicKeyParameters.KeySize
                ? new BouncyCastleSecurityKey(SigningAlgorithms.EdDsa, new Ed25519PublicKeyParameters(x), 256)
                : null;
        }

        if (jwk.Kty == "EC" && jwk.Crv == "secp256k1" && !string.IsNullOrEmpty(jwk.Y))
        {
            var y = Base64UrlEncoder.DecodeBytes(jwk.Y);
            if (x.Length != 32 || y.Length != 32)
            {
                return null;
            }

            var point = Secp256K1.Curve.ValidatePoint(new BigInteger(1, x), new BigInteger(1, y));
            return new BouncyCastleSecurityKey(SigningAlgorithms.Es256K, new ECPublicKeyParameters(point, Secp256K1Domain), 256);
        }

        return null;
    }
}

/// <summary>Verifies EdDSA and ES256K signatures with BouncyCastle.</summary>
internal sealed class BouncyCastleSignatureProvider : SignatureProvider
{
    private readonly BouncyCastleSecurityKey _key;

    public BouncyCastleSignatureProvider(BouncyCastleSecurityKey key)
        : base(key, key.Algorithm)
    {
        _key = key;
        WillCreateSignatures = false;
    }

    /// <inheritdoc />
    public override byte[] Sign(byte[] input) => throw new NotSupportedException("Flaat only verifies signatures.");

    /// <inheritdoc />
    public override bool Verify(byte[] input, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(signature);
        return Verify(input, 0, input.Length, signature, 0, signature.Length);
    }

    /// <inheritdoc />
    public override bool Verify(byte[] input, int inputOffset, int inputLength, byte[] signature, int signatureOffset, int signatureLength)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(signature);
        if (_key.Algorithm == SigningAlgorithms.EdDsa)
        {
            // Ed25519Signer buffers input: one per call keeps this provider thread-safe.
            var signer = new Ed25519Signer();
            signer.Init(false, _key.PublicKey);
            signer.BlockUpdate(input, inputOffset, inputLength);
            return signatureLength == 64
                && signer.VerifySignature(signature.AsSpan(signatureOffset, signatureLength).ToArray());
        }

        // ES256K: JWS carries R || S, 32 bytes each, over the SHA-256 of the input.
        if (signatureLength != 64)
        {
            return false;
        }

        var hash = System.Security.Cryptography.SHA256.HashData(input.AsSpan(inputOffset, inputLength));
        var r = new BigInteger(1, signature, signatureOffset, 32);
        var s = new BigInteger(1, signature, signatureOffset + 32, 32);
        var ecdsa = new ECDsaSigner();
        ecdsa.Init(false, _key.PublicKey);
        return ecdsa.VerifySignature(hash, r, s);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        // Nothing to release: BouncyCastle keys hold no native resources.
    }
}

/// <summary>
/// The <see cref="ICryptoProvider"/> that teaches a <see cref="CryptoProviderFactory"/> EdDSA and
/// ES256K for <see cref="BouncyCastleSecurityKey"/> keys.
/// </summary>
internal sealed class BouncyCastleCryptoProvider : ICryptoProvider
{
    /// <inheritdoc />
    public bool IsSupportedAlgorithm(string algorithm, params object[] args) =>
        args is [BouncyCastleSecurityKey key, ..] && key.Algorithm == algorithm;

    /// <inheritdoc />
    public object Create(string algorithm, params object[] args) =>
        args is [BouncyCastleSecurityKey key, ..] && key.Algorithm == algorithm
            ? key.SignatureProvider
            : throw new NotSupportedException($"Algorithm {algorithm} is not supported for this key.");

    /// <inheritdoc />
    public void Release(object cryptoInstance)
    {
        // The providers live as long as their keys.
    }
}
