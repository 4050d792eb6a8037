using Microsoft.IdentityModel.Tokens;

namespace Flaat.Tokens;

/// <summary>
/// One signing key of a JWKS, as <see cref="FlaatJwksClient"/> hands it out (flaat's <c>PyJWK</c>).
/// </summary>
public sealed class FlaatSigningKey
{
    internal FlaatSigningKey(SigningKey inner) => Inner = inner;

    /// <summary>The key id (<c>kid</c>); <see langword="null"/> when the JWK has none.</summary>
    public string? KeyId => Inner.KeyId;

    /// <summary>The key type (<c>kty</c>): <c>RSA</c>, <c>EC</c> or <c>OKP</c>.</summary>
    public string KeyType => Inner.KeyType;

    /// <summary>The curve (<c>crv</c>) of an EC or OKP key; <see langword="null"/> for RSA.</summary>
    public string? Curve => Inner.Curve;

    /// <summary>The algorithm the JWK is restricted to (<c>alg</c>), when it states one.</summary>
    public string? Algorithm => Inner.Algorithm;

    /// <summary>
    /// The key for Microsoft.IdentityModel (e.g. <c>TokenValidationParameters.IssuerSigningKey</c>).
    /// RSA and NIST EC keys work with any IdentityModel handler; Ed25519 and secp256k1 keys verify
    /// only through <see cref="FlaatJwksClient.VerifyAsync"/>, since IdentityModel has no such algorithms.
    /// </summary>
    public SecurityKey SecurityKey => Inner.Key;

    internal SigningKey Inner { get; }

    /// <summary>Whether this key may verify a token signed with <paramref name="algorithm"/>.</summary>
    /// <param name="algorithm">The JWS algorithm.</param>
    public bool Fits(string algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        return Inner.Fits(algorithm);
    }

    /// <inheritdoc />
    public override string ToString() => $"{KeyType} {Curve ?? string.Empty} {KeyId}".Replace("  ", " ", StringComparison.Ordinal);
}
