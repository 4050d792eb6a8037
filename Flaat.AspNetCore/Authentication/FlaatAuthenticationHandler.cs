using System.Text.Encodings.Web;
using Flaat.Evaluation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// The Flaat authentication scheme: <c>HttpContext.User</c> from the token's <see cref="UserInfos"/>,
/// so <c>[Authorize]</c>, <c>RequireAuthorization</c> and authorization policies work with Flaat
/// tokens (multi-issuer, JWT or opaque). Challenges and forbids answer with Flaat's error response.
/// </summary>
internal sealed class FlaatAuthenticationHandler(
    IOptionsMonitor<FlaatAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    FlaatHttpGate gate)
    : AuthenticationHandler<FlaatAuthenticationOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // An endpoint with neither Flaat nor authorization metadata never looks at the token.
        var policy = FlaatPolicy.Authenticated;
        if (Context.GetEndpoint() is { } endpoint)
        {
            var resolved = gate.Resolver.GetPolicy(endpoint);
            if (!resolved.UsesAuthentication)
            {
                return AuthenticateResult.NoResult();
            }

            // The endpoint's DPoP mode applies here too ([Authorize] plus [FlaatDpop] / WithFlaatDpop).
            policy = FlaatEndpointPolicyResolver.AuthenticatedWith(resolved.Policy.Dpop);
        }

        var state = Context.GetFlaatState();
        // Asked even without a token: the evaluator decides (and honours the environment overrides).
        var (token, outcome) = await gate.EvaluateAsync(Context, policy);
        Context.SetFlaatFeature(new FlaatFeature(outcome, token.HasToken));
        if (!outcome.IsAllowed)
        {
            state.AuthenticationError = outcome.Error;

            // No bearer credentials at all (none, or another scheme's): not this scheme's request
            // (another scheme may handle it). Malformed bearer credentials are this scheme's failure.
            return token.HasToken || outcome.Error!.ChallengeError is not null
                ? AuthenticateResult.Fail(outcome.Error!.Description)
                : AuthenticateResult.NoResult();
        }

        var principal = UserInfosPrincipal.Create(outcome.UserInfos, Scheme.Name, Options);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, TicketProperties(outcome.UserInfos), Scheme.Name));
    }

    /// <summary>
    /// The ticket's lifetime is the token's: issued at its <c>iat</c> (the JWT's, else the
    /// introspection answer's), expiring at <see cref="UserInfos.ExpiresAt"/>; unset when unknown
    /// (anonymous or override requests, opaque tokens without introspection).
    /// </summary>
    internal static AuthenticationProperties TicketProperties(UserInfos? user) => new()
    {
        IssuedUtc = user is null ? null : ReadTime(user.AccessTokenInfo?.Body) ?? ReadTime(user.IntrospectionInfo),
        ExpiresUtc = user?.ExpiresAt,
    };

    private static DateTimeOffset? ReadTime(IReadOnlyDictionary<string, System.Text.Json.JsonElement>? claims) =>
        claims is not null && claims.TryGetValue("iat", out var iat)
        && iat.ValueKind == System.Text.Json.JsonValueKind.Number && iat.TryGetInt64(out var seconds)
        && seconds is >= 0 and <= 253_402_300_799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var state = Context.GetFlaatState();
        if (state.AuthenticationError is null)
        {
            // Authentication did not run for this scheme (another default scheme): run it now, so the
            // challenge is the evaluator's (a DPoP challenge where the endpoint or issuer requires DPoP).
            await HandleAuthenticateOnceSafeAsync();
        }

        var error = state.AuthenticationError;
        if (error is null)
        {
            // The credentials authenticate (or the endpoint does not use them): say so in general terms.
            var token = gate.ReadToken(Context);
            error = token.HasToken ? FlaatError.Unauthenticated("User identity could not be determined") : token.ToError();
            await gate.RespondAsync(Context, error, null, token.HasToken, OnFailure());
            return;
        }

        await gate.RespondAsync(Context, error, null, state.Feature?.TokenPresented == true, OnFailure());
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var state = Context.GetFlaatState();
        var user = state.Feature?.UserInfos;
        var error = state.AuthorizationError
            ?? FlaatError.Forbidden(user is not null ? $"User {user} does not meet requirements" : "User does not meet requirements");
        await gate.RespondAsync(Context, error, user, state.Feature?.TokenPresented == true, OnFailure());
    }

    private FlaatFailureHandler? OnFailure() =>
        Context.GetEndpoint() is { } endpoint ? gate.Resolver.GetPolicy(endpoint).OnFailure : null;
}
