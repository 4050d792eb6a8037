using System.Text.Json;
using Flaat.Errors;
using Flaat.Http;
using Flaat.Issuers;
using Microsoft.Extensions.Logging;

namespace Flaat.Engine;

/// <summary>
/// Finds the issuer of an opaque token by asking the trusted OPs that do not issue only JWTs
/// (<see cref="IssuerRegistry.ProbeCandidates"/>), in parallel, within a deadline and a global budget
/// (<see cref="ProbeBudget"/>). Each OP is asked the way a load pinned to it checks the token: by
/// introspection where Flaat has its client credentials and it publishes the endpoint, by userinfo
/// otherwise. So the route, and the outcome kept for every presentation, never depend on how the
/// client presented the token (a DPoP-bound token is found as Bearer too, and then refused by the
/// binder). Every answer within the deadline counts: exactly one OP must accept the token, a token
/// more than one accepts is refused as ambiguous. Probing shows the token to each of those OPs.
/// </summary>
internal sealed class OpaqueTokenProbe(IssuerRegistry issuers, OpClaims claims, FlaatProbingOptions options, TimeProvider time, ILogger logger)
{
    private readonly ProbeBudget _budget = new(options.MaxConcurrentProbes, options.MaxProbesPerSecond, time);
    private readonly bool _enabled = options.Enabled;
    private readonly int _parallelism = options.MaxParallelism;
    private readonly TimeSpan _deadline = options.Deadline;

    /// <summary>
    /// The one OP that accepted the token, or the failure; <c>Forget</c> says the failure says nothing
    /// about the token (the budget was spent) and must not be remembered.
    /// </summary>
    public async Task<(Result<ProbeOutcome> Outcome, bool Forget)> ProbeAsync(TokenHash hash, string token, CancellationToken cancellationToken)
    {
        var candidates = issuers.ProbeCandidates;
        if (!_enabled || candidates.Count == 0)
        {
            return (Result<ProbeOutcome>.Refuse("Token is not a JWT, and its issuer is unknown"), false);
        }

        // The global budget: the excess is refused before any OP is asked, and not remembered, so a
        // legitimate token caught in a flood of made-up ones may be tried again at once.
        if (_budget.TryTake() is { } spent)
        {
            EngineLog.ProbeBudgetSpent(logger, hash.ToString(), spent);
            return (Result<ProbeOutcome>.Refuse($"Token is not a JWT, and its issuer cannot be looked for now ({spent}); try again later"), true);
        }

        try
        {
            return (await ProbeCandidatesAsync(hash, candidates, token, cancellationToken).ConfigureAwait(false), false);
        }
        finally
        {
            _budget.Release();
        }
    }

    /// <summary>
    /// Asks every candidate and waits for all answers within the deadline: the first acceptance
    /// cannot win, or an OP that accepts every token would become the issuer of other OPs' tokens.
    /// Exactly one acceptance is needed; OPs that could not be asked do not block it.
    /// </summary>
    private async Task<Result<ProbeOutcome>> ProbeCandidatesAsync(TokenHash hash, IReadOnlyList<IssuerContext> candidates, string token, CancellationToken cancellationToken)
    {
        ProbeOutcome[] outcomes;
        using (var deadline = new CancellationTokenSource(_deadline, time))
        using (var probing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token))
        using (var gate = new SemaphoreSlim(_parallelism))
        {
            var pending = new Task<ProbeOutcome>[candidates.Count];
            for (var i = 0; i < candidates.Count; i++)
            {
                pending[i] = ProbeOneAsync(candidates[i], token, gate, probing.Token);
            }

            // Each probe turns the deadline into an outcome of its own, so this ends by the deadline.
            outcomes = await Task.WhenAll(pending).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();

        // An OP that answered for the token counts as accepting it, even when its answer then
        // failed the binding checks (an OP answering for another issuer or subject).
        var accepted = outcomes.Where(o => o.Claims is not null || o.Refusal is not null).ToList();
        if (accepted.Count > 1)
        {
            var names = string.Join(", ", accepted.Select(o => o.Issuer.Issuer));
            EngineLog.ProbeAmbiguous(logger, hash.ToString(), names);
            return Result<ProbeOutcome>.Refuse($"Token was accepted by more than one trusted OP: ambiguous ({names})");
        }

        if (accepted.Count == 1)
        {
            return accepted[0].Refusal is { } refusal ? refusal : accepted[0];
        }

        var unavailable = outcomes.Where(o => o.Error is not null).ToList();
        if (unavailable.Count > 0)
        {
            // An OP that is down may accept the token later (503); a fault on this side (an OP's
            // broken configuration, a request that could not be built) is no outage and stays a 500.
            var error = unavailable.Find(o => o.Error!.StatusCode == 503)?.Error ?? unavailable[0].Error!;
            var description = $"No trusted OP accepted the token, and {unavailable.Count} of {candidates.Count} could not be asked; first: {error.Description}";
            return error.StatusCode == 503 ? FlaatError.Unavailable(description, error.RetryAfter) : FlaatError.Internal(description);
        }

        return Result<ProbeOutcome>.Refuse("No trusted OP accepted the token");
    }

    /// <summary>
    /// Asks one OP as a load pinned to it would: by introspection where it can be introspected
    /// (<see cref="OpClaims.Introspects"/>), by userinfo otherwise.
    /// </summary>
    private async Task<ProbeOutcome> ProbeOneAsync(IssuerContext issuer, string token, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        try
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return ProbeOutcome.TimedOut(issuer, _deadline);
        }

        try
        {
            if (!(await issuer.ConfigurationAsync(cancellationToken).ConfigureAwait(false)).TryGetValue(out var configuration, out var error))
            {
                // The OP cannot be asked (unreachable, or its configuration is broken).
                return new ProbeOutcome(issuer, null, null, error);
            }

            return OpClaims.Introspects(issuer, configuration)
                ? await IntrospectOneAsync(issuer, configuration, token, cancellationToken).ConfigureAwait(false)
                : await AskUserInfoAsync(issuer, token, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return ProbeOutcome.TimedOut(issuer, _deadline);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<ProbeOutcome> AskUserInfoAsync(IssuerContext issuer, string token, CancellationToken cancellationToken)
    {
        if (!(await claims.AskUserInfoAsync(issuer, token, cancellationToken).ConfigureAwait(false)).TryGetValue(out var asked, out var error))
        {
            return new ProbeOutcome(issuer, null, null, error);
        }

        var (configuration, userInfo) = asked;
        switch (userInfo?.Kind)
        {
            case null:
                // Without a userinfo endpoint an OP cannot be probed.
                return ProbeOutcome.Rejected(issuer);
            case OpResultKind.Ok:
                var bound = OpAnswers.BindUserInfo(userInfo.Body, issuer, tokenSubject: null);
                return bound.TryGetValue(out var found, out var refusal)
                    ? new ProbeOutcome(issuer, configuration, found, null)
                    : new ProbeOutcome(issuer, configuration, null, null, refusal);
            case OpResultKind.Rejected when userInfo.RefusesTheToken:
                return ProbeOutcome.Rejected(issuer);
            default:
                return new ProbeOutcome(issuer, configuration, null, FlaatError.Unavailable($"The OP {issuer.Issuer} could not be reached: {userInfo.Problem}", userInfo.RetryAfter));
        }
    }

    /// <summary>
    /// Asks one OP's introspection endpoint: an active answer accepts the token (the answer is kept and
    /// judged by the load, as a pinned issuer's would be); inactive, or a 400, rejects it.
    /// </summary>
    private async Task<ProbeOutcome> IntrospectOneAsync(IssuerContext issuer, IssuerConfiguration configuration, string token, CancellationToken cancellationToken)
    {
        if (!(await claims.FetchIntrospectionAsync(issuer, configuration, token, cancellationToken).ConfigureAwait(false)).TryGetValue(out var answer, out var error))
        {
            return new ProbeOutcome(issuer, configuration, null, error);
        }

        return answer switch
        {
            null => ProbeOutcome.Rejected(issuer),
            { Kind: OpResultKind.Ok } when answer.Body.ValueKind == JsonValueKind.Object
                && answer.Body.TryGetProperty("active", out var active) && active.ValueKind == JsonValueKind.True
                => new ProbeOutcome(issuer, configuration, ClaimSet.Empty, null) { Introspected = answer },
            { Kind: OpResultKind.Ok } or { Kind: OpResultKind.Rejected, StatusCode: 400 } => ProbeOutcome.Rejected(issuer),
            { Kind: OpResultKind.Rejected, StatusCode: 401 or 403 } => new ProbeOutcome(issuer, configuration, null, FlaatError.Internal($"The OP {issuer.Issuer} refused the introspection request ({answer.Problem}); check the client credentials for this issuer")),
            _ => new ProbeOutcome(issuer, configuration, null, FlaatError.Unavailable($"The OP {issuer.Issuer} could not be reached: {answer.Problem}", answer.RetryAfter)),
        };
    }
}

/// <summary>
/// One OP's answer to a probe. Claims: the OP accepted the token; Refusal: it answered for the token,
/// but the answer failed the binding checks; Error: it could not be asked; none: it rejected the token.
/// </summary>
internal sealed record ProbeOutcome(IssuerContext Issuer, IssuerConfiguration? Configuration, IReadOnlyDictionary<string, JsonElement>? Claims, FlaatError? Error, FlaatError? Refusal = null)
{
    /// <summary>The introspection answer that accepted the token (a probe by introspection); <see langword="null"/> for a userinfo probe.</summary>
    public OpResult? Introspected { get; init; }

    public static ProbeOutcome Rejected(IssuerContext issuer) => new(issuer, null, null, null);

    public static ProbeOutcome TimedOut(IssuerContext issuer, TimeSpan deadline) =>
        new(issuer, null, null, FlaatError.Unavailable($"The OP {issuer.Issuer} did not answer within the probing deadline of {deadline.TotalSeconds:0.###} s"));
}
