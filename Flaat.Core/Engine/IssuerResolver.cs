using Flaat.Caching;
using Flaat.Errors;
using Flaat.Issuers;
using Flaat.Tokens;

namespace Flaat.Engine;

/// <summary>
/// Finds the trusted issuer a token is checked against, in this order: the caller's hint, the pinned
/// issuer (<see cref="FlaatOptions.Issuer"/>), the JWT's <c>iss</c> (which must be trusted before
/// anything is sent anywhere), and for an opaque token the issuer remembered from an earlier probe
/// (kept by the token's SHA-256 for <see cref="FlaatCacheOptions.TokenIssuerLifetime"/>). When none
/// applies, the issuer is looked for by <see cref="OpaqueTokenProbe"/>.
/// </summary>
internal sealed class IssuerResolver(IssuerRegistry issuers, FlaatCacheOptions cache, TimeProvider time)
{
    private readonly BoundedCache<TokenHash, IssuerContext> _remembered = new(cache.MaxTokenIssuers);
    private readonly TimeSpan _rememberFor = cache.TokenIssuerLifetime;

    /// <summary>
    /// The issuer named by the hint, the pinning or the JWT; <see langword="null"/> when none is (an
    /// opaque token, or a JWT without <c>iss</c>); a refusal when one is not trusted or they disagree.
    /// </summary>
    public Result<IssuerContext?> Resolve(string? issuerHint, DecodedJwt? jwt)
    {
        IssuerContext? target;
        if (issuerHint is { } hint)
        {
            target = issuers.Find(hint);
            if (target is null)
            {
                return Result<IssuerContext?>.Refuse($"Issuer is not trusted: {ErrorText.Shorten(hint)}");
            }
        }
        else
        {
            target = issuers.Pinned;
        }

        if (jwt?.Issuer is not { } iss)
        {
            return target;
        }

        // Checked before anything is sent anywhere: an untrusted issuer gets no request.
        if (issuers.Find(iss) is not { } issuer)
        {
            return Result<IssuerContext?>.Refuse($"Issuer is not trusted: {ErrorText.Shorten(iss)}");
        }

        if (target is not null && !ReferenceEquals(target, issuer))
        {
            return Result<IssuerContext?>.Refuse($"Token was issued by {ErrorText.Shorten(iss)}, not by the expected issuer {target.Issuer}");
        }

        return issuer;
    }

    /// <summary>The issuer a probe found for this token earlier, if it is still remembered.</summary>
    public IssuerContext? Remembered(TokenHash hash) =>
        _remembered.TryGet(hash, time.GetUtcNow().UtcTicks, out var known) ? known : null;

    /// <summary>Remembers the issuer a probe found for this token.</summary>
    public void Remember(TokenHash hash, IssuerContext issuer)
    {
        var now = time.GetUtcNow();
        _remembered.Set(hash, issuer, (now + _rememberFor).UtcTicks, now.UtcTicks);
    }
}
