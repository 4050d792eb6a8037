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

    /// <summary>The issuer a probe found for this token earlier, if this process still remembers it.</summary>
    public IssuerContext? Remembered(TokenHash hash) =>
        _remembered.TryGet(hash, time.GetUtcNow().UtcTicks, out var known) ? known : null;

    /// <summary>
    /// The issuer a probe found for this token, in this process's memory or else in the shared cache
    /// (used only when it names a trusted issuer, and then remembered here too).
    /// </summary>
    public async ValueTask<IssuerContext?> RememberedAsync(TokenHash hash, TokenCacheGuard shared, CancellationToken cancellationToken)
    {
        if (Remembered(hash) is { } known)
        {
            return known;
        }

        if (await shared.GetIssuerAsync(hash, cancellationToken).ConfigureAwait(false) is not { } name || issuers.Find(name) is not { } issuer)
        {
            return null;
        }

        Keep(hash, issuer);
        return issuer;
    }

    /// <summary>Remembers the issuer a probe found for this token, here and in the shared cache.</summary>
    public ValueTask RememberAsync(TokenHash hash, IssuerContext issuer, TokenCacheGuard shared, CancellationToken cancellationToken)
    {
        var until = Keep(hash, issuer);
        return shared.SetIssuerAsync(hash, issuer.Issuer, until, cancellationToken);
    }

    private DateTimeOffset Keep(TokenHash hash, IssuerContext issuer)
    {
        var now = time.GetUtcNow();
        var until = now + _rememberFor;
        _remembered.Set(hash, issuer, until.UtcTicks, now.UtcTicks);
        return until;
    }
}
