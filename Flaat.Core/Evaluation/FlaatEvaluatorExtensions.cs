namespace Flaat.Evaluation;

/// <summary>
/// Protecting plain code with the evaluator, outside any web framework (a worker that reads tokens
/// from a queue, a custom server): flaat's <c>AuthWorkflow.decorate_view_func</c>.
/// </summary>
public static class FlaatEvaluatorExtensions
{
    /// <summary>
    /// Judges <paramref name="token"/> against <paramref name="policy"/> and runs
    /// <paramref name="action"/> only when the request is allowed.
    /// </summary>
    /// <typeparam name="TResult">What the protected code returns.</typeparam>
    /// <param name="evaluator">The evaluator.</param>
    /// <param name="token">The token that came with the work item.</param>
    /// <param name="policy">What the protected code demands.</param>
    /// <param name="action">
    /// The protected code; it receives the user (<see langword="null"/> for an anonymous request under
    /// <see cref="FlaatPolicy.OptionalAuthentication"/> or when checks are disabled by an override).
    /// </param>
    /// <param name="onFailure">
    /// flaat's <c>on_failure</c>: turns a refusal (with the user known at that point) into a result.
    /// When <see langword="null"/>, a refusal throws the <see cref="FlaatException"/> of its status
    /// (<see cref="FlaatUnauthenticatedException"/> 401, <see cref="FlaatForbiddenException"/> 403,
    /// <see cref="FlaatUnavailableException"/> 503, <see cref="FlaatException"/> 500). Either way the
    /// protected code never runs after a refusal.
    /// </param>
    /// <param name="request">The work item, handed to the policy's request requirements.</param>
    /// <param name="cancellationToken">Cancels the work; an <see cref="OperationCanceledException"/> is always rethrown.</param>
    /// <returns>What <paramref name="action"/> or <paramref name="onFailure"/> returned.</returns>
    /// <exception cref="FlaatException">The request was refused and no <paramref name="onFailure"/> was given.</exception>
    public static async Task<TResult> RunProtectedAsync<TResult>(
        this FlaatEvaluator evaluator,
        PresentedToken token,
        FlaatPolicy policy,
        Func<UserInfos?, CancellationToken, Task<TResult>> action,
        Func<FlaatOutcome, TResult>? onFailure = null,
        object? request = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(action);
        var outcome = await evaluator.EvaluateAsync(token, policy, request, cancellationToken).ConfigureAwait(false);
        if (!outcome.IsAllowed)
        {
            return onFailure is null ? throw outcome.Error!.ToException() : onFailure(outcome);
        }

        return await action(outcome.UserInfos, cancellationToken).ConfigureAwait(false);
    }
}
