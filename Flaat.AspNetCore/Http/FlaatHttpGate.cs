using Flaat.Evaluation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// The HTTP side of every Flaat adapter: reads the presented token (through the
/// <see cref="IFlaatTokenReader"/>s), asks the one
/// <see cref="FlaatEvaluator"/>, records the user for the request, and answers a refusal
/// (on-failure hook, then Flaat's error response). MVC filter, endpoint gate and authentication
/// handler are a few lines around it.
/// </summary>
internal sealed partial class FlaatHttpGate
{
    private readonly FlaatEvaluator _evaluator;
    private readonly FlaatTokenReaders _readers;
    private readonly FlaatEndpointPolicyResolver _resolver;
    private readonly FlaatEndpointOptions _options;
    private readonly ILogger _logger;

    public FlaatHttpGate(FlaatEvaluator evaluator, FlaatTokenReaders readers, FlaatEndpointPolicyResolver resolver, IOptions<FlaatEndpointOptions> options, ILogger<FlaatHttpGate> logger)
    {
        _evaluator = evaluator;
        _readers = readers;
        _resolver = resolver;
        _options = options.Value;
        _logger = logger;
    }

    public FlaatEvaluator Evaluator => _evaluator;

    public FlaatEndpointPolicyResolver Resolver => _resolver;

    /// <summary>What the request presents, read through the token readers.</summary>
    public PresentedToken ReadToken(HttpContext context) => _readers.Read(context);

    /// <summary>
    /// Reads what the request presents (the default reader remembers it per connection, see
    /// <see cref="ConnectionTokenMemo"/>) and judges it against a policy; a <see cref="FlaatException"/>
    /// becomes a failed outcome.
    /// </summary>
    public async ValueTask<(PresentedToken Token, FlaatOutcome Outcome)> EvaluateAsync(HttpContext context, FlaatPolicy policy)
    {
        var token = _readers.Read(context);
        return (token, await _evaluator.EvaluateAsync(token, policy, context, context.RequestAborted));
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
