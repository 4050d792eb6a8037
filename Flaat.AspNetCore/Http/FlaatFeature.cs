using Flaat.Evaluation;

namespace Flaat.AspNetCore;

/// <summary>
/// What Flaat decided about one request, in <c>HttpContext.Features</c> once an adapter (the
/// endpoint gate, the MVC filter, the authentication scheme, the gRPC interceptor) judged it.
/// Immutable: a later judgement of the same request sets a new feature.
/// <c>HttpContext.GetUserInfos()</c> and a handler's <see cref="Flaat.UserInfos"/> parameter read it.
/// </summary>
public sealed class FlaatFeature
{
    /// <summary>Creates the feature of a judged request.</summary>
    /// <param name="outcome">The evaluator's outcome.</param>
    /// <param name="tokenPresented">Whether the request carried a bearer token.</param>
    public FlaatFeature(FlaatOutcome outcome, bool tokenPresented)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        Outcome = outcome;
        TokenPresented = tokenPresented;
    }

    /// <summary>The evaluator's outcome: allowed, or the error sent.</summary>
    public FlaatOutcome Outcome { get; }

    /// <summary>The user; <see langword="null"/> when there is none (optional authentication without an acceptable token, a failure).</summary>
    public UserInfos? UserInfos => Outcome.UserInfos;

    /// <summary>Whether the request carried a bearer token.</summary>
    public bool TokenPresented { get; }
}
