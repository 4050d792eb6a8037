using Flaat.Caching;
using Flaat.Diagnostics;
using Flaat.Errors;
using Flaat.Issuers;
using Flaat.Tokens;
using Microsoft.Extensions.Logging;

namespace Flaat.Engine;

/// <summary>
/// One shared round of work for a token the cache could not answer: find its issuer
/// (<see cref="IssuerResolver"/>, <see cref="OpaqueTokenProbe"/>), validate a JWT
/// (<see cref="JwtValidator"/>), collect the OP's claims (<see cref="OpClaims"/>), and keep the outcome
/// as the <see cref="CachePolicy"/> says. Expected failures are results all the way through.
/// </summary>
internal sealed class TokenPipeline(
    IssuerResolver resolver,
    OpaqueTokenProbe probe,
    OpClaims claims,
    OfflineMode offline,
    CachePolicy policy,
    TokenCacheGuard cache,
    RevocationLedger revoked,
    FlaatTelemetry metrics,
    FlaatOptions options,
    TimeProvider time,
    ILogger logger)
{
    private readonly bool _verifyJwt = options.VerifyJwt;
    private readonly TimeSpan _clockSkew = options.ClockSkew;

    /// <summary>Authenticates a token on the engine's own lifetime (<paramref name="cancellationToken"/>), shared by every caller with that token.</summary>
    public async Task<AuthenticationResult> LoadAsync(TokenHash hash, AuthenticationRequest request, CancellationToken cancellationToken)
    {
        // What is refused here without any OP or key (not a JWT or opaque token, an untrusted issuer,
        // an expired JWT) costs microseconds: it is neither looked up in nor kept by the cache, so a
        // flood of made-up tokens costs a shared store (and the replicas it notifies) nothing.
        if (LocalRefusal(request) is { } refusal)
        {
            metrics.Authenticated("rejected");
            EngineLog.TokenNotAccepted(logger, hash.ToString(), refusal.StatusCode, refusal.Description);
            return AuthenticationResult.Failure(refusal);
        }

        var revocations = revoked.Epoch;
        // The cache may hold the token in a place TryGet does not reach (a shared store), or another
        // load may just have kept it.
        if (await cache.GetAsync(hash, cancellationToken).ConfigureAwait(false) is { } kept)
        {
            if (policy.Serve(kept, request, time.GetUtcNow()) is { } served)
            {
                metrics.Authenticated("cached");
                return served;
            }

            EngineLog.CachedOutcomeNotServed(logger, hash.ToString());
        }

        // A shared cache may have made other processes wait for this one's answer: they are let go
        // whatever happens here, by the outcome kept or by the release.
        var stored = false;
        try
        {
            (var result, stored) = await LoadAndKeepAsync(hash, request, revocations, cancellationToken).ConfigureAwait(false);
            return result;
        }
        finally
        {
            if (!stored)
            {
                await cache.ReleaseAsync(hash, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task<(AuthenticationResult Result, bool Kept)> LoadAndKeepAsync(TokenHash hash, AuthenticationRequest request, long revocations, CancellationToken cancellationToken)
    {
        var load = await ResolveAsync(hash, request, cancellationToken).ConfigureAwait(false);
        var error = load.Result.Error;
        if (error is not null && !load.Forget)
        {
            EngineLog.TokenNotAccepted(logger, hash.ToString(), error.StatusCode, error.Description);
        }

        metrics.Authenticated(error?.StatusCode switch
        {
            null => "accepted",
            401 => "rejected",
            503 => "unavailable",
            _ => "error",
        });
        var now = time.GetUtcNow();

        // A token revoked while its load was under way: the OP's answer may predate the revocation,
        // so it is returned to the requests that waited for it but never kept.
        if (policy.KeepUntil(load, request, now) is { } until && until > now && !revoked.RevokedSince(hash, revocations))
        {
            await cache.SetAsync(hash, TokenOutcome.From(load.Result, load.Issuer, until, policy.Fingerprint), cancellationToken).ConfigureAwait(false);
            return (load.Result, true);
        }

        return (load.Result, false);
    }

    private FlaatError? LocalRefusal(AuthenticationRequest request)
    {
        if (!DecodedJwt.Decode(request.AccessToken).TryGetValue(out var jwt, out var error)
            || !resolver.Resolve(request.IssuerHint, jwt).TryGetValue(out var target, out error))
        {
            return error;
        }

        return jwt is not null && target is not null
            ? JwtValidator.CheckClaims(jwt, time.GetUtcNow(), _clockSkew, target.TokenPolicy, offline.RequiresAccessTokenType)
            : null;
    }

    private async Task<TokenLoad> ResolveAsync(TokenHash hash, AuthenticationRequest request, CancellationToken cancellationToken)
    {
        var token = request.AccessToken;
        if (!DecodedJwt.Decode(token).TryGetValue(out var jwt, out var error)
            || !resolver.Resolve(request.IssuerHint, jwt).TryGetValue(out var target, out error))
        {
            return TokenLoad.Failed(error);
        }

        if (jwt is not null && target is not null)
        {
            return await AuthenticateJwtAsync(jwt, target, request, cancellationToken).ConfigureAwait(false);
        }

        // An opaque token (a JWT without iss, and nothing to check it against, is handled as one:
        // its unverifiable claims are not used).
        target ??= await resolver.RememberedAsync(hash, cache, cancellationToken).ConfigureAwait(false);
        if (target is not null)
        {
            return await AuthenticateOpaqueAsync(target, token, cancellationToken).ConfigureAwait(false);
        }

        var (probed, forget) = await probe.ProbeAsync(hash, token, cancellationToken).ConfigureAwait(false);
        if (!probed.TryGetValue(out var winner, out error))
        {
            return TokenLoad.Failed(error, forget);
        }

        EngineLog.TokenIssuerProbed(logger, hash.ToString(), winner.Issuer.Issuer);
        if (winner.Introspected is { } introspected)
        {
            // Found by introspection: loaded as a pinned issuer's token, so the outcome is the OP's,
            // whatever the presentation (userinfo asked unless it is bound). The OP is remembered as
            // the token's issuer only once its answer passed the checks (iss, exp): an OP answering
            // active for another OP's token must not become its issuer.
            var load = await AuthenticateOpaqueAsync(winner.Issuer, token, cancellationToken, introspected).ConfigureAwait(false);
            if (load.Result.Succeeded)
            {
                await resolver.RememberAsync(hash, winner.Issuer, cache, cancellationToken).ConfigureAwait(false);
            }

            return load;
        }

        await resolver.RememberAsync(hash, winner.Issuer, cache, cancellationToken).ConfigureAwait(false);

        return Loaded(winner.Issuer, await claims.CompleteAsync(winner.Issuer, winner.Configuration!, token, null, null, winner.Claims!, cancellationToken).ConfigureAwait(false));
    }

    // Whether an opaque token is DPoP-bound is learnt from the OP's introspection answer (asked first
    // where the issuer has credentials), never from how the client presented it: the outcome, kept for
    // every presentation of the token, does not depend on the presentation (the binder judges that).
    private async Task<TokenLoad> AuthenticateOpaqueAsync(IssuerContext target, string token, CancellationToken cancellationToken, Http.OpResult? introspected = null)
    {
        if (!(await target.ConfigurationAsync(cancellationToken).ConfigureAwait(false)).TryGetValue(out var configuration, out var error))
        {
            return TokenLoad.Failed(error);
        }

        if (introspected is null && OpClaims.Introspects(target, configuration)
            && !(await claims.FetchIntrospectionAsync(target, configuration, token, cancellationToken).ConfigureAwait(false)).TryGetValue(out introspected, out error))
        {
            return TokenLoad.Failed(error);
        }

        if (!(await claims.AskUserInfoAsync(target, token, cancellationToken, bound: OpClaims.SaysBound(introspected)).ConfigureAwait(false)).TryGetValue(out var asked, out error))
        {
            return TokenLoad.Failed(error);
        }

        if (!OpClaims.UserInfoClaims(target, asked.Configuration, asked.UserInfo, opaque: true, tokenSubject: null).TryGetValue(out var userInfo, out error))
        {
            // Userinfo refused the token itself and nothing else can vouch for it: say what a bound token needs.
            return TokenLoad.Failed(asked.UserInfo is { Kind: Http.OpResultKind.Rejected, RefusesTheToken: true } && !OpClaims.Introspects(target, configuration)
                ? FlaatError.Unauthenticated(error.Description + "; a DPoP-bound token is refused at userinfo, and Flaat has no client credentials to introspect it (set ClientId and ClientSecret for this issuer)")
                : error);
        }

        return Loaded(target, await claims.CompleteAsync(target, asked.Configuration, token, null, null, userInfo, cancellationToken, introspected).ConfigureAwait(false));
    }

    private async Task<TokenLoad> AuthenticateJwtAsync(DecodedJwt jwt, IssuerContext issuer, AuthenticationRequest request, CancellationToken cancellationToken)
    {
        // Lifetime, audience and (when its claims alone decide) type first: they cost nothing, and an
        // expired JWT is refused even where the OP's userinfo would still answer.
        var refusal = JwtValidator.CheckClaims(jwt, time.GetUtcNow(), _clockSkew, issuer.TokenPolicy, offline.RequiresAccessTokenType);
        string? subject = null;
        if (refusal is null && !OpAnswers.SubjectOf(jwt).TryGetValue(out subject, out var malformed))
        {
            refusal = malformed;
        }

        if (refusal is null && _verifyJwt)
        {
            refusal = await JwtValidator.VerifySignatureAsync(jwt, issuer.Keys(), cancellationToken).ConfigureAwait(false);
        }

        if (refusal is not null)
        {
            return TokenLoad.Failed(refusal);
        }

        var info = jwt.ToAccessTokenInfo(_verifyJwt ? jwt.Algorithm : null);
        if (offline.TokenSuffices(request))
        {
            // Offline mode: the verified token speaks for itself.
            var own = claims.Build(issuer, info, ClaimSet.Empty, null);
            return own.TryGetValue(out var infos, out var error)
                ? new TokenLoad(AuthenticationResult.Success(infos, isTokenOnly: true), issuer.Issuer, jwt.ExpiresAt)
                : TokenLoad.Failed(error);
        }

        // A DPoP-bound JWT's user comes from its verified claims and introspection (userinfo refuses it);
        // an unverified JWT's cnf skips userinfo only where introspection decides instead.
        var bound = jwt.Body.TryGetProperty("cnf", out var cnf) && cnf.ValueKind == System.Text.Json.JsonValueKind.Object && cnf.TryGetProperty("jkt", out _);
        if (!(await claims.AskUserInfoAsync(issuer, jwt.Token, cancellationToken, bound, verified: _verifyJwt).ConfigureAwait(false)).TryGetValue(out var asked, out var failure)
            || !OpClaims.UserInfoClaims(issuer, asked.Configuration, asked.UserInfo, opaque: false, subject).TryGetValue(out var userInfo, out failure))
        {
            return TokenLoad.Failed(failure);
        }

        if (!_verifyJwt && asked.UserInfo is null && !OpClaims.Introspects(issuer, asked.Configuration))
        {
            // Nothing checked the token: its signature was not verified, and its OP has neither a
            // userinfo endpoint nor (with credentials) introspection. Its claims are anybody's.
            return TokenLoad.Failed(FlaatError.Unauthenticated($"The token could not be checked: VerifyJwt is off, and the OP {issuer.Issuer} publishes no userinfo endpoint and cannot introspect it (no client credentials or no introspection endpoint)"));
        }

        var completed = await claims.CompleteAsync(issuer, asked.Configuration, jwt.Token, subject, info, userInfo, cancellationToken).ConfigureAwait(false);
        return Loaded(issuer, completed) with { TokenExpiresAt = jwt.ExpiresAt };
    }

    private static TokenLoad Loaded(IssuerContext issuer, Result<UserInfos> infos) =>
        infos.TryGetValue(out var value, out var error)
            ? new TokenLoad(AuthenticationResult.Success(value), issuer.Issuer)
            : TokenLoad.Failed(error);
}
