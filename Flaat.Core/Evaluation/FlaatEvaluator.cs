using System.Text.Json.Nodes;
using Flaat.Requirements;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flaat.Evaluation;

/// <summary>
/// The one evaluator every adapter calls: from a bearer token and a policy to a verdict, in
/// flaat's order — environment overrides, authentication, user requirements, request
/// requirements. Thread-safe; register one per application.
/// </summary>
public sealed partial class FlaatEvaluator
{
    /// <summary>flaat's variable that skips authentication and authorisation (honoured only when allowed).</summary>
    public const string DisableAuthenticationVariable = "DISABLE_AUTHENTICATION_AND_ASSUME_AUTHENTICATED_USER";

    /// <summary>flaat's variable that skips authorisation only (honoured only when allowed).</summary>
    public const string DisableAuthorizationVariable = "DISABLE_AUTHORIZATION_AND_ASSUME_AUTHORIZED_USER";

    private readonly IFlaatAuthenticator _authenticator;
    private readonly IFlaatTokenBinder[] _binders;
    private readonly DpopTokenBinder? _dpop;
    private readonly Func<string, string?>? _environment;
    private readonly ILogger _logger;

    /// <summary>Creates the evaluator.</summary>
    /// <param name="authenticator">The token engine.</param>
    /// <param name="options">Evaluator settings; defaults when <see langword="null"/>.</param>
    /// <param name="logger">A logger; none when <see langword="null"/>.</param>
    /// <param name="binders">
    /// The checks that bind a token to its request (DPoP, mTLS), run in this order. A
    /// <see cref="DpopTokenBinder"/> with default settings is added when none is given, so that an
    /// evaluator never accepts the DPoP scheme, or a DPoP-bound token as Bearer, unchecked.
    /// </param>
    public FlaatEvaluator(IFlaatAuthenticator authenticator, FlaatEvaluatorOptions? options = null, ILogger<FlaatEvaluator>? logger = null, IEnumerable<IFlaatTokenBinder>? binders = null)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        _authenticator = authenticator;
        _binders = binders?.ToArray() ?? [];
        _dpop = _binders.OfType<DpopTokenBinder>().FirstOrDefault();
        if (_dpop is null)
        {
            // Fail closed: without it the DPoP scheme would pass with no proof check at all.
            _dpop = new DpopTokenBinder(new FlaatOptions());
            _binders = [.. _binders, _dpop];
        }

        options ??= new FlaatEvaluatorOptions();
        _environment = options.HonourEnvironmentOverrides ? options.EnvironmentReader ?? Environment.GetEnvironmentVariable : null;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The token engine this evaluator authenticates with.</summary>
    public IFlaatAuthenticator Authenticator => _authenticator;

    /// <summary>Judges a request.</summary>
    /// <param name="token">What the request presented (or why it presented no token): see <see cref="BearerToken"/>.</param>
    /// <param name="policy">What the endpoint demands.</param>
    /// <param name="request">The adapter's request object, passed to token binders and request requirements.</param>
    /// <param name="cancellationToken">Cancels the work; an <see cref="OperationCanceledException"/> is always rethrown.</param>
    /// <returns>
    /// Allowed (with the user, if any) or failed (with the error to send). A
    /// <see cref="FlaatException"/> thrown by a requirement, a request requirement, a binder or the
    /// authenticator becomes a failed outcome with that exception's status, so no adapter has to catch it.
    /// </returns>
    public async ValueTask<FlaatOutcome> EvaluateAsync(PresentedToken token, FlaatPolicy policy, object? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(policy);
        FlaatOutcome outcome;
        try
        {
            outcome = await JudgeAsync(token, policy, request, cancellationToken).ConfigureAwait(false);
        }
        catch (FlaatException exception)
        {
            outcome = FlaatOutcome.Failed(exception.ToError());
        }

        if (outcome.Error is { ChallengeScheme: null } error && token.Scheme != BearerToken.Scheme)
        {
            outcome = FlaatOutcome.Failed(WithScheme(error, token.Scheme), outcome.UserInfos);
        }

        // A 401 of a DPoP presentation, or where DPoP is required, names the schemes the client may use
        // (RFC 9449 section 7.1); only refusals pay for it.
        return _dpop is not null && outcome.Error is { StatusCode: 401 } refusal
            ? FlaatOutcome.Failed(_dpop.WithChallenges(refusal, token, policy, outcome.UserInfos), outcome.UserInfos)
            : outcome;
    }

    private async ValueTask<FlaatOutcome> JudgeAsync(PresentedToken token, FlaatPolicy policy, object? request, CancellationToken cancellationToken)
    {
        if (_environment is not null && IsYes(_environment(DisableAuthenticationVariable)))
        {
            LogAuthenticationDisabled(_logger);
            return FlaatOutcome.AllowedByOverride();
        }

        if (!token.HasToken)
        {
            return policy.OptionalAuthentication
                ? FlaatOutcome.AllowedAnonymous()
                : FlaatOutcome.Failed(token.ToError());
        }

        var result = await AuthenticateAsync(new AuthenticationRequest(token.Token!), token, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var error = result.Error!;
            // Optional authentication turns a rejected token into "no user", as flaat does; an OP
            // outage or a configuration fault is still reported, never hidden.
            return policy.OptionalAuthentication && error.StatusCode == 401
                ? FlaatOutcome.AllowedAnonymous()
                : FlaatOutcome.Failed(error);
        }

        var user = result.UserInfos!;
        // Binding: on every request, cache hit or not (there is always at least the DPoP binder). Inline
        // (no extra async method); the DPoP binder answers a bearer token synchronously without
        // allocating, so the cached path costs nothing more.
        foreach (var binder in _binders)
        {
            if (await binder.BindAsync(new TokenBindingContext(token, user, request, policy), cancellationToken).ConfigureAwait(false) is { } refusal)
            {
                var unbound = ReferenceEquals(binder, _dpop) ? _dpop.WithChallenges(refusal, token, policy, user, fromThisBinder: true) : refusal;
                LogTokenNotBound(_logger, binder.GetType().Name, unbound.StatusCode, unbound.Description);
                // No user on the refusal: a token not bound to this request (a stolen DPoP-bound
                // token without its proof) authenticates nobody, so neither the request's feature nor
                // an on-failure hook learns whose token it was.
                return policy.OptionalAuthentication && unbound.StatusCode == 401
                    ? FlaatOutcome.AllowedAnonymous()
                    : FlaatOutcome.Failed(unbound);
            }
        }

        if (_environment is not null && IsYes(_environment(DisableAuthorizationVariable)))
        {
            LogAuthorizationDisabled(_logger);
            return FlaatOutcome.Allowed(user);
        }

        if (policy.UserRequirement is { } requirement)
        {
            var context = new RequirementContext(request, policy.RequestValues);
            var check = requirement.IsSatisfiedBy(user, context);
            if (!check.IsSatisfied && result.IsTokenOnly)
            {
                // Offline mode: the token's own claims did not suffice; ask the OP's userinfo once.
                result = await AuthenticateAsync(new AuthenticationRequest(token.Token!, RequireUserInfo: true), token, cancellationToken).ConfigureAwait(false);
                if (result.Succeeded)
                {
                    user = result.UserInfos!;
                    check = requirement.IsSatisfiedBy(user, context);
                }
                else if (result.Error!.StatusCode != 401)
                {
                    return FlaatOutcome.Failed(result.Error!, user);
                }

                // A 401 here means the OP will not serve userinfo for this token (oidc-provider, for
                // one, refuses JWTs whose audience is an API). The verified token stands, as it does
                // in offline mode anyway; the user lacks rights (403), the token is not bad (401).
            }

            if (!check.IsSatisfied)
            {
                return FlaatOutcome.Failed(FlaatError.Forbidden($"User {user} does not meet requirements", check.Render()), user);
            }
        }

        if (policy.RequestRequirements.Count > 0)
        {
            JsonArray? failures = null;
            foreach (var requestRequirement in policy.RequestRequirements)
            {
                var check = requestRequirement(user, request);
                if (!check.IsSatisfied)
                {
                    (failures ??= []).Add(check.Render());
                }
            }

            if (failures is not null)
            {
                return FlaatOutcome.Failed(FlaatError.Forbidden($"Request from user {user} does not meet requirements", failures), user);
            }
        }

        return FlaatOutcome.Allowed(user);
    }

    // The token's hash travels with the request: computed once per presented token, which an
    // HTTP/1 connection hands out again for the same header, so the engine need not hash it at all.
    private ValueTask<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, PresentedToken token, CancellationToken cancellationToken) =>
        _authenticator.AuthenticateAsync(request with { KnownHash = token.Hash, HashedToken = token.Token }, cancellationToken);

    private static FlaatError WithScheme(FlaatError error, string scheme) =>
        new(error.StatusCode, error.Error, error.Description, error.Details)
        {
            RetryAfter = error.RetryAfter,
            ChallengeError = error.ChallengeError,
            ChallengeScheme = scheme,
        };

    private static bool IsYes(string? value) => string.Equals(value, "YES", StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "Authentication is disabled by " + DisableAuthenticationVariable + "; the request is let through unchecked")]
    private static partial void LogAuthenticationDisabled(ILogger logger);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Authorisation is disabled by " + DisableAuthorizationVariable + "; requirements are not checked")]
    private static partial void LogAuthorizationDisabled(ILogger logger);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Token binder {Binder} refused the token: {StatusCode} {Description}")]
    private static partial void LogTokenNotBound(ILogger logger, string binder, int statusCode, string description);
}

/// <summary>Settings of the <see cref="FlaatEvaluator"/>.</summary>
public sealed class FlaatEvaluatorOptions
{
    /// <summary>
    /// Whether flaat's environment overrides (<see cref="FlaatEvaluator.DisableAuthenticationVariable"/>,
    /// <see cref="FlaatEvaluator.DisableAuthorizationVariable"/>) are read, per request. Off by default;
    /// the ASP.NET Core registration turns it on only in Development or when explicitly allowed.
    /// </summary>
    public bool HonourEnvironmentOverrides { get; set; }

    /// <summary>Reads an environment variable; <see cref="Environment.GetEnvironmentVariable(string)"/> when <see langword="null"/>. For tests.</summary>
    public Func<string, string?>? EnvironmentReader { get; set; }
}
