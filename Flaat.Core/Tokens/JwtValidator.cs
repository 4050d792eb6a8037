using Flaat.Errors;

namespace Flaat.Tokens;

/// <summary>
/// Where <see cref="JwtValidator"/> gets signing keys from: an issuer's keys in the engine, one JWKS
/// URI in <see cref="FlaatJwksClient"/>. Failures (an unreachable OP, a broken key set) come back as
/// results.
/// </summary>
internal interface ISigningKeySource
{
    /// <summary>Who holds the keys, as error messages name it (<c>issuer https://op</c>, or a JWKS URI).</summary>
    string Owner { get; }

    /// <summary>The current keys.</summary>
    ValueTask<Result<KeySet>> GetKeysAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Fresh keys because a token names a key not in <paramref name="seen"/> (the OP may have rotated);
    /// <see langword="null"/> when a refresh is not allowed yet (rate-limited).
    /// </summary>
    ValueTask<Result<KeySet?>> RefreshKeysAsync(KeySet seen, CancellationToken cancellationToken);
}

/// <summary>
/// The one validation of a JWT, shared by the engine and <see cref="FlaatJwksClient"/>: lifetime
/// (with clock skew), this API's audience and, when the token's claims alone decide, the access token
/// type — all free, so first — and then the signature, against the keys that fit the token's
/// <c>kid</c> and <c>alg</c>, with one rate-limited key refresh for an unknown key. Each refusal is a
/// 401 whose description names what failed; never the token.
/// </summary>
internal static class JwtValidator
{
    /// <summary>
    /// The checks that cost nothing: lifetime, then (with a <paramref name="policy"/>) the audience and,
    /// when <paramref name="requireAccessToken"/>, that the JWT is an access token.
    /// </summary>
    /// <returns>The refusal, or <see langword="null"/>.</returns>
    public static FlaatError? CheckClaims(DecodedJwt jwt, DateTimeOffset now, TimeSpan clockSkew, AccessTokenPolicy? policy, bool requireAccessToken)
    {
        var problem = jwt.LifetimeProblem(now, clockSkew)
            ?? policy?.AudienceProblem(jwt)
            ?? (requireAccessToken ? policy?.AccessTokenProblem(jwt) : null);
        return problem is null ? null : FlaatError.Unauthenticated(problem);
    }

    /// <summary>Verifies the signature with the keys of <paramref name="keys"/>.</summary>
    /// <returns>The refusal (401), the failure to get keys (503, 500), or <see langword="null"/> when the signature verifies.</returns>
    public static async ValueTask<FlaatError?> VerifySignatureAsync(DecodedJwt jwt, ISigningKeySource keys, CancellationToken cancellationToken)
    {
        if (SigningAlgorithms.Refusal(jwt.Algorithm) is { } refusal)
        {
            return FlaatError.Unauthenticated(refusal);
        }

        if (!(await keys.GetKeysAsync(cancellationToken).ConfigureAwait(false)).TryGetValue(out var set, out var error))
        {
            return error;
        }

        var candidates = set.Candidates(jwt.KeyId, jwt.Algorithm, out var problem);
        if (candidates is { Count: 0 })
        {
            if (jwt.KeyId is { } kid && set.HasKeyId(kid))
            {
                return FlaatError.Unauthenticated($"Key '{ErrorText.Shorten(kid)}' of {keys.Owner} does not fit algorithm {ErrorText.Shorten(jwt.Algorithm)}");
            }

            // An unknown key: the OP may have rotated its keys. One shared, rate-limited refresh.
            if (!(await keys.RefreshKeysAsync(set, cancellationToken).ConfigureAwait(false)).TryGetValue(out var refreshed, out error))
            {
                return error;
            }

            if (refreshed is not null)
            {
                candidates = refreshed.Candidates(jwt.KeyId, jwt.Algorithm, out problem);
            }

            if (candidates is { Count: 0 })
            {
                return FlaatError.Unauthenticated(jwt.KeyId is { } unknown
                    ? $"No key with id '{ErrorText.Shorten(unknown)}' found at {keys.Owner}"
                    : $"No key of {keys.Owner} fits algorithm {ErrorText.Shorten(jwt.Algorithm)}");
            }
        }

        if (candidates is null)
        {
            return FlaatError.Unauthenticated(problem!);
        }

        return SignatureVerifier.Verify(jwt, candidates) ? null : FlaatError.Unauthenticated("Signature verification failed");
    }
}
