using Flaat.Evaluation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Flaat.AspNetCore;

/// <summary>
/// The HTTP side of every Flaat adapter: reads the bearer token, asks the one
/// <see cref="FlaatEvaluator"/>, records the user for the request, and answers a refusal
/// (on-failure hook, then Flaat's error response). MVC filter, endpoint gate and authentication
/// handler are a few lines around it.
/// </summary>
internal sealed partial class FlaatHttpGate
{
    private readonly FlaatEvaluator _evaluator;
    private readonly FlaatEndpointPolicyResolver _resolver;
    private readonly FlaatEndpointOptions _options;
    private readonly ILogger _logger;

    public FlaatHttpGate(FlaatEvaluator evaluator, FlaatEndpointPolicyResolver resolver, IOptions<FlaatEndpointOptions> options, ILogger<FlaatHttpGate> logger)
    {
        _evaluator = evaluator;
        _resolver = resolver;
        _options = options.Value;
        _logger = logger;
    }

    public FlaatEvaluator Evaluator => _evaluator;

    public FlaatEndpointPolicyResolver Resolver => _resolver;

    /// <summary>The bearer token of a request.</summary>
    public static BearerToken ReadToken(HttpRequest request) => ReadToken(request.Headers.Authorization);

    /// <summary>
    /// The bearer token of a request's <c>Authorization</c> header values: several headers are
    /// refused (never joined, never sent on to an OP), one is read with RFC 6750's grammar.
    /// </summary>
    public static BearerToken ReadToken(StringValues authorization) => authorization.Count switch
    {
        0 => BearerToken.None,
        1 => BearerToken.FromAuthorizationHeader(authorization[0]),
        _ => BearerToken.SeveralHeaders,
    };

    /// <summary>
    /// Reads the request's bearer token (memoised per connection, see <see cref="ConnectionTokenMemo"/>)
    /// and judges it against a policy; a <see cref="FlaatException"/> becomes a failed outcome.
    /// </summary>
    public async ValueTask<(BearerToken Token, FlaatOutcome Outcome)> EvaluateAsync(HttpContext context, FlaatPolicy policy)
    {
        var token = ConnectionTokenMemo.Read(context, out var hash);
        return (token, await _evaluator.EvaluateWithHashAsync(token, hash, policy, context, context.RequestAborted));
    }

    /// <summary>
    /// Judges a request to an endpoint with a Flaat policy. Returns <see langword="true"/> when it
    /// may proceed; otherwise the response has been written and the endpoint must not run.
    /// </summary>
    public async ValueTask<bool> TryPassAsync(HttpContext context, FlaatEndpointPolicy policy)
    {
        var state = context.GetFlaatState();
        if (state.GatePassed)
        {
            // Another Flaat adapter (MVC filter and endpoint convention together) already let it through.
            return true;
        }

        var (token, outcome) = await EvaluateAsync(context, policy.Policy);
        context.SetFlaatFeature(new FlaatFeature(outcome, token.HasToken));
        if (outcome.IsAllowed && !outcome.ChecksDisabled
            && await FlaatUserObjectStore.PrepareAsync(context, outcome.UserInfos) is { } refusal)
        {
            // A strict user object (AddUserObject) the handler takes could not be made.
            outcome = FlaatOutcome.Failed(refusal, outcome.UserInfos);
        }

        if (outcome.IsAllowed)
        {
            state.GatePassed = true;
            return true;
        }

        await RespondAsync(context, outcome.Error!, outcome.UserInfos, token.HasToken, policy.OnFailure);
        return false;
    }

    /// <summary>
    /// Answers a refused request: the on-failure hook may replace the response or throw a
    /// <see cref="FlaatException"/> to send another error; otherwise Flaat's error is written.
    /// </summary>
    public async Task RespondAsync(HttpContext context, FlaatError error, UserInfos? userInfos, bool tokenPresented, FlaatFailureHandler? onFailure)
    {
        LogRefused(_logger, error.StatusCode, error.Error, error.Description);
        if (onFailure is not null)
        {
            try
            {
                var replacement = await onFailure(new FlaatFailureContext(context, error, userInfos));
                if (replacement is not null)
                {
                    await replacement.ExecuteAsync(context);
                    return;
                }

                if (context.Response.HasStarted)
                {
                    return;
                }
            }
            catch (FlaatException exception)
            {
                error = exception.ToError();
            }
        }

        if (error.StatusCode == StatusCodes.Status503ServiceUnavailable && error.RetryAfter is null)
        {
            error = new FlaatError(error.StatusCode, error.Error, error.Description, error.Details) { RetryAfter = _options.RetryAfterWhenUnknown };
        }

        await FlaatResponseWriter.WriteErrorAsync(context.Response, error, tokenPresented, context.RequestAborted);
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Request refused: {StatusCode} {Error}: {Description}")]
    private static partial void LogRefused(ILogger logger, int statusCode, string error, string description);
}
