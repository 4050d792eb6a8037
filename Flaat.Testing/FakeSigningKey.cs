using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Flaat.Testing;

/// <summary>
/// A signing key of a <see cref="FakeOpenIdProvider"/>, with its private part, so tests can craft
/// tokens the provider would never issue (tampered payloads, algorithm confusion, foreign keys).
/// The provider owns it: do not dispose its keys; they are not usable after the provider is disposed.
/// </summary>
public sealed class FakeSigningKey
{
    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256 over a 2048-bit RSA key.</summary>
    public const string RS256 = "RS256";

    /// <summary>ECDSA with SHA-256 over the P-256 curve.</summary>
    public const string ES256 = "ES256";

    /// <summary>Ed25519, published as an <c>OKP</c> key.</summary>
    public const string EdDSA = "EdDSA";

    private readonly Ed25519PrivateKeyParameters? _ed25519;

    private FakeSigningKey(string algorithm, string keyId, RSA? rsa, ECDsa? ecdsa, Ed25519PrivateKeyParameters? ed25519)
    {
        Algorithm = algorithm;
        KeyId = keyId;
        Rsa = rsa;
        ECDsa = ecdsa;
        _ed25519 = ed25519;
        Ed25519PublicKey = ed25519?.GeneratePublicKey().GetEncoded() ?? ReadOnlyMemory<byte>.Empty;
    }

    /// <summary>The JWS algorithm: <see cref="RS256"/>, <see cref="ES256"/> or <see cref="EdDSA"/>.</summary>
    public string Algorithm { get; }

    /// <summary>The key id published in the JWKS (<c>kid</c>).</summary>
    public string KeyId { get; }

    /// <summary>The RSA key pair for <see cref="RS256"/>; otherwise <see langword="null"/>.</summary>
    public RSA? Rsa { get; }

    /// <summary>The P-256 key pair for <see cref="ES256"/>; otherwise <see langword="null"/>.</summary>
    public ECDsa? ECDsa { get; }

    /// <summary>The 32-byte Ed25519 public key for <see cref="EdDSA"/>; otherwise empty.</summary>
    public ReadOnlyMemory<byte> Ed25519PublicKey { get; }

    /// <summary>Signs data as the JWS algorithm does (ECDSA signatures in the fixed-size r||s form).</summary>
    /// <param name="data">The JWS signing input, <c>base64url(header) "." base64url(payload)</c> in ASCII.</param>
    /// <returns>The signature bytes.</returns>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        if (Rsa is not null)
        {
            return Rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        if (ECDsa is not null)
        {
            return ECDsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        var signer = new Ed25519Signer();
        signer.Init(forSigning: true, _ed25519);
        signer.BlockUpdate(data);
        return signer.GenerateSignature();
    }

    /// <summary>
    /// Signs any header and payload into a compact JWS with this key, for tokens the provider would
    /// never mint. The header is used as given: set <c>alg</c> and <c>kid</c> yourself.
    /// </summary>
    /// <param name="header">The JOSE header.</param>
    /// <param name="payload">The claims.</param>
    /// <returns><c>base64url(header).base64url(payload).base64url(signature)</c>.</returns>
    public string SignJws(JsonObject header, JsonObject payload)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(payload);
        var signingInput = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()))
            + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        return signingInput + "." + Base64Url.EncodeToString(Sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    /// <summary>The public key as a JSON Web Key with <c>kty</c>, <c>use</c>, <c>alg</c>, <c>kid</c> and the key parameters.</summary>
    /// <returns>A new JSON object; changing it does not change the key.</returns>
    public JsonObject ToJsonWebKey()
    {
        var jwk = new JsonObject();
        if (Rsa is not null)
        {
            var p = Rsa.ExportParameters(includePrivateParameters: false);
            jwk["kty"] = "RSA";
            jwk["n"] = Base64Url.EncodeToString(p.Modulus);
            jwk["e"] = Base64Url.EncodeToString(p.Exponent);
        }
        else if (ECDsa is not null)
        {
            var p = ECDsa.ExportParameters(includePrivateParameters: false);
            jwk["kty"] = "EC";
            jwk["crv"] = "P-256";
            jwk["x"] = Base64Url.EncodeToString(p.Q.X);
            jwk["y"] = Base64Url.EncodeToString(p.Q.Y);
        }
        else
        {
            jwk["kty"] = "OKP";
            jwk["crv"] = "Ed25519";
            jwk["x"] = Base64Url.EncodeToString(Ed25519PublicKey.Span);
        }

        jwk["use"] = "sig";
        jwk["alg"] = Algorithm;
        jwk["kid"] = KeyId;
        return jwk;
    }

    /// <summary>Frees the key when its provider is disposed; RSA keys go back to the pool.</summary>
    internal void Release()
    {
        if (Rsa is not null)
        {
            RsaKeyPool.Return(Rsa);
        }

        ECDsa?.Dispose();
    }

    internal static FakeSigningKey Create(string algorithm, string keyId) => algorithm switch
    {
        RS256 => new FakeSigningKey(algorithm, keyId, RsaKeyPool.Take(), null, null),
        ES256 => new FakeSigningKey(algorithm, keyId, null, ECDsa.Create(ECCurve.NamedCurves.nistP256), null),
        EdDSA => new FakeSigningKey(algorithm, keyId, null, null, new Ed25519PrivateKeyParameters(new SecureRandom())),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported algorithm."),
    };
}
