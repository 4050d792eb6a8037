using Flaat.Requirements;

namespace Flaat.Evaluation;

/// <summary>
/// A check on the request itself (its route values, body, method, ...) for a known user; flaat's
/// request requirements. The request is the adapter's own object (<c>HttpContext</c>,
/// <c>ServerCallContext</c>, or whatever a direct caller passes).
/// </summary>
/// <param name="userInfos">The authenticated user.</param>
/// <param name="request">The adapter's request object.</param>
/// <returns>Whether the request may proceed, and why (not).</returns>
public delegate CheckResult RequestRequirement(UserInfos userInfos, object? request);

/// <summary>
/// What an endpoint demands: flaat's <c>AuthWorkflow</c> without the framework parts. Immutable
/// once built; share one instance per endpoint.
/// </summary>
public sealed class FlaatPolicy
{
    /// <summary>A policy that only requires an authenticated user.</summary>
    public static FlaatPolicy Authenticated { get; } = new();

    /// <summary>A policy that accepts anonymous requests but authenticates a token when one is sent.</summary>
    public static FlaatPolicy Optional { get; } = new() { OptionalAuthentication = true };

    /// <summary>The requirement the user must satisfy; <see langword="null"/> for none beyond authentication.</summary>
    public Requirement? UserRequirement { get; init; }

    /// <summary>Checks on the request; all are evaluated and every failure is reported.</summary>
    public IReadOnlyList<RequestRequirement> RequestRequirements { get; init; } = [];

    /// <summary>
    /// flaat's <c>ignore_no_authn</c>: a request without an acceptable token proceeds with no user
    /// (requirements are then not checked). An OP outage (503) is still reported.
    /// </summary>
    public bool OptionalAuthentication { get; init; }

    /// <summary>
    /// How tokens may be presented at this endpoint (DPoP, RFC 9449); replaces the issuer's and the
    /// global <c>Flaat:Dpop:Mode</c>. <see langword="null"/> (the default): those apply.
    /// </summary>
    public DpopMode? Dpop { get; init; }

    /// <summary>
    /// Reads route values from the adapter's request object for requirements that depend on the
    /// request (<see cref="Wlcg.Storage(StorageOperation, string)"/>); the ASP.NET Core adapters set it.
    /// <see langword="null"/>: no route values (such requirements then fail closed).
    /// </summary>
    public IFlaatRequestValues? RequestValues { get; init; }
}
