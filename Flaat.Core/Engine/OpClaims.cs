using System.Text.Json;
using Flaat.Errors;
using Flaat.Http;
using Flaat.Issuers;
using Microsoft.Extensions.Logging;

namespace Flaat.Engine;

/// <summary>
/// Collects what the OP says about a token: its userinfo answer and, with client credentials, its
/// introspection answer, each bound to the OP asked and to the token (<see cref="OpAnswers"/>), and
/// builds the user infos from them (running the post-processors). An OP that cannot be reached is a
/// 503, never a bad token; an OP that refuses the token is a 401.
/// </summary>
internal sealed class OpClaims(OpClient client, IReadOnlyList<IUserInfosPostProcessor> postProcessors, TimeProvider time, TimeSpan clockSkew, ILogger logger)
{
    /// <summary>Asks the issuer's userinfo endpoint; the answer is <see langword="null"/> when it publishes none.</summary>
    /// <remarks>
    /// A DPoP-bound token (<paramref name="bound"/>) is not sent (userinfo refuses it without a proof of the
    /// client's key), but only where something else vouches for the token: its signature was verified
    /// (<paramref name="verified"/>), or introspection with the API's credentials will run and decide. A
    /// binding read from claims nobody checked never switches the OP's check off.
    /// </remarks>
    public async Task<Result<(IssuerConfiguration Configuration, OpResult? UserInfo)>> AskUserInfoAsync(IssuerContext issuer, string token, CancellationToken cancellationToken, bool bound = false, bool verified = false)
    {
        if (!(await issuer.ConfigurationAsync(cancellationToken).ConfigureAwait(false)).TryGetValue(out var configuration, out var error))
        {
            return error;
        }

        if (bound && (verified || Introspects(issuer, configuration)))
        {
            return (configuration, null);
        }

        if (configuration.UserInfoEndpoint is not { } endpoint)
        {
            return (configuration, null);
        }

        if (!(await client.GetUserInfoAsync(issuer.Target, endpoint, token, cancellationToken).Catching().ConfigureAwait(false)).TryGetValue(out var result, out error))
        {
            return error;
        }

        if (result.Kind == OpResultKind.Unavailable)
        {
            EngineLog.OpUnavailable(logger, issuer.Issuer, endpoint, result.Problem!);
        }

        return (configuration, result);
    }

    /// <summary>Whether the issuer's introspection will be asked (client credentials and an endpoint).</summary>
    public static bool Introspects(IssuerContext issuer, IssuerConfiguration configuration) =>
        issuer.ClientId is not null && issuer.ClientSecret is not null && configuration.IntrospectionEndpoint is not null;

    /// <summary>The userinfo claims, bound to the issuer asked and the token's subject, or why there are none.</summary>
    public static Result<IReadOnlyDictionary<string, JsonElement>> UserInfoClaims(IssuerContext issuer, IssuerConfiguration configuration, OpResult? userInfo, bool opaque, string? tokenSubject)
    {
        if (userInfo is null)
        {
            // No userinfo endpoint: a JWT's own claims, or an opaque token's introspection, must do.
            return opaque && (issuer.ClientId is null || configuration.IntrospectionEndpoint is null)
                ? FlaatError.Internal($"Issuer {issuer.Issuer} publishes neither a userinfo endpoint nor, with client credentials set, an introspection endpoint")
                : Result<IReadOnlyDictionary<string, JsonElement>>.Ok(ClaimSet.Empty);
        }

        return userInfo.Kind switch
        {
            OpResultKind.Ok => OpAnswers.BindUserInfo(userInfo.Body, issuer, tokenSubject),
            OpResultKind.Rejected when userInfo.RefusesTheToken => FlaatError.Unauthenticated($"The OP {issuer.Issuer} rejected the token at its userinfo endpoint ({userInfo.Problem})"),
            OpResultKind.Rejected => FlaatError.Unavailable($"The OP {issuer.Issuer} answered its userinfo endpoint with {userInfo.Problem}, which says nothing about the token"),
            _ => FlaatError.Unavailable($"The OP {issuer.Issuer} could not be reached: {userInfo.Problem}", userInfo.RetryAfter),
        };
    }

    /// <summary>Adds the introspection answer (when the issuer has client credentials) and builds the user infos.</summary>
    /// <remarks><paramref name="introspected"/>: the introspection answer when it was fetched already (<see cref="FetchIntrospectionAsync"/>).</remarks>
    public async Task<Result<UserInfos>> CompleteAsync(IssuerContext issuer, IssuerConfiguration configuration, string token, string? tokenSubject, AccessTokenInfo? info, IReadOnlyDictionary<string, JsonElement> userInfo, CancellationToken cancellationToken, OpResult? introspected = null)
    {
        if (!(await IntrospectAsync(issuer, configuration, token, tokenSubject, userInfo, introspected, cancellationToken).ConfigureAwait(false)).TryGetValue(out var introspection, out var error))
        {
            return error;
        }

        return Build(issuer, info, userInfo, introspection);
    }

    /// <summary>The user infos of claims already gathered; the user's issuer is always the OP asked.</summary>
    public Result<UserInfos> Build(IssuerContext issuer, AccessTokenInfo? info, IReadOnlyDictionary<string, JsonElement> userInfo, IReadOnlyDictionary<string, JsonElement>? introspection) =>
        UserInfosPostProcessing.Create(postProcessors, info, OpAnswers.WithAskedIssuer(userInfo, introspection, info, issuer), introspection);

    /// <summary>The issuer's introspection answer, unjudged; <see langword="null"/> when the issuer is not introspected.</summary>
    public async Task<Result<OpResult?>> FetchIntrospectionAsync(IssuerContext issuer, IssuerConfiguration configuration, string token, CancellationToken cancellationToken)
    {
        if (issuer.ClientId is not { } clientId || issuer.ClientSecret is not { } clientSecret || configuration.IntrospectionEndpoint is not { } endpoint)
        {
            return Result<OpResult?>.Ok(null);
        }

        if (!(await client.IntrospectAsync(issuer.Target, endpoint, token, clientId, clientSecret, cancellationToken).Catching().ConfigureAwait(false)).TryGetValue(out var result, out var fault))
        {
            return fault;
        }

        return result;
    }

    /// <summary>
    /// Whether an introspection answer says the token is DPoP-bound (<c>cnf.jkt</c>, or <c>token_type</c>
    /// <c>DPoP</c>): the OP says so, never the client's presentation.
    /// </summary>
    public static bool SaysBound(OpResult? introspected)
    {
        if (introspected is not { Kind: OpResultKind.Ok, Body.ValueKind: JsonValueKind.Object } answer)
        {
            return false;
        }

        var body = answer.Body;
        return (body.TryGetProperty("cnf", out var cnf) && cnf.ValueKind == JsonValueKind.Object && cnf.TryGetProperty("jkt", out _))
            || (body.TryGetProperty("token_type", out var type) && type.ValueKind == JsonValueKind.String && string.Equals(type.GetString(), "DPoP", StringComparison.OrdinalIgnoreCase));
    }

    private async Task<Result<IReadOnlyDictionary<string, JsonElement>?>> IntrospectAsync(IssuerContext issuer, IssuerConfiguration configuration, string token, string? tokenSubject, IReadOnlyDictionary<string, JsonElement> userInfo, OpResult? introspected, CancellationToken cancellationToken)
    {
        if (issuer.ClientId is null || issuer.ClientSecret is null || configuration.IntrospectionEndpoint is not { } endpoint)
        {
            return Result<IReadOnlyDictionary<string, JsonElement>?>.Ok(null);
        }

        OpResult? result = introspected;
        if (result is null)
        {
            if (!(await FetchIntrospectionAsync(issuer, configuration, token, cancellationToken).ConfigureAwait(false)).TryGetValue(out result, out var fault))
            {
                return fault;
            }
        }

        if (result is null)
        {
            return Result<IReadOnlyDictionary<string, JsonElement>?>.Ok(null);
        }

        switch (result.Kind)
        {
            case OpResultKind.Ok:
                var bound = OpAnswers.BindIntrospection(result.Body, issuer, tokenSubject, userInfo, time.GetUtcNow(), clockSkew);
                return bound.TryGetValue(out var claims, out var refusal) ? Result<IReadOnlyDictionary<string, JsonElement>?>.Ok(claims) : refusal;
            case OpResultKind.Rejected when result.StatusCode == 400:
                // RFC 7662 answers a token it does not know with active: false; a 400 says the request (the token) was malformed.
                return FlaatError.Unauthenticated($"The OP {issuer.Issuer} refused to introspect the token ({result.Problem})");
            case OpResultKind.Rejected when result.StatusCode is 401 or 403:
                return FlaatError.Internal($"The OP {issuer.Issuer} refused the introspection request ({result.Problem}); check the client credentials for this issuer");
            case OpResultKind.Rejected:
                EngineLog.OpUnavailable(logger, issuer.Issuer, endpoint, result.Problem!);
                return FlaatError.Unavailable($"The OP {issuer.Issuer} answered its introspection endpoint with {result.Problem}, which says nothing about the token");
            default:
                EngineLog.OpUnavailable(logger, issuer.Issuer, endpoint, result.Problem!);
                return FlaatError.Unavailable($"The OP {issuer.Issuer} could not be reached: {result.Problem}", result.RetryAfter);
        }
    }
}
