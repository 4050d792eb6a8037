using Flaat.Evaluation;
using Flaat.Requirements;
using Microsoft.AspNetCore.Http;

namespace Flaat.AspNetCore;

/// <summary>
/// Describes what an endpoint demands — flaat's <c>AuthWorkflow</c>: authentication (required or
/// optional), user requirements, named access levels, request requirements and an on-failure
/// hook. Every demand is added: a user must satisfy all requirements and access levels, and every
/// request requirement. For authentication and the hook, the last call wins (the most specific
/// metadata is applied last).
/// </summary>
public sealed class FlaatPolicyBuilder
{
    private readonly List<Requirement> _requirements = [];
    private readonly List<string> _accessLevels = [];
    private readonly List<RequestRequirement> _requestRequirements = [];

    /// <summary>Whether anything made the endpoint protected (authentication, a requirement, ...).</summary>
    internal bool IsProtected { get; private set; }

    /// <summary>Whether authentication is optional.</summary>
    internal bool IsOptional { get; private set; }

    /// <summary>The on-failure hook, when one was given.</summary>
    internal FlaatFailureHandler? FailureHandler { get; private set; }

    internal IReadOnlyList<string> AccessLevels => _accessLevels;

    /// <summary>Which issuers' audiences are checked, for audience requirements built from metadata.</summary>
    internal Func<string, bool>? IssuerSupportsAudience { get; init; }

    /// <summary>Requires an authenticated user (flaat's <c>is_authenticated</c>); undoes an earlier <see cref="AllowAnonymous"/>.</summary>
    /// <returns>This builder.</returns>
    public FlaatPolicyBuilder RequireAuthenticatedUser()
    {
        IsProtected = true;
        IsOptional = false;
        return this;
    }

    /// <summary>
    /// Makes authentication optional (flaat's <c>ignore_no_authn</c>): a request without an
    /// acceptable token proceeds without a user; with a good token the user is known and the
    /// requirements are checked. An unreachable OP is still reported (503).
    /// </summary>
    /// <returns>This builder.</returns>
    public FlaatPolicyBuilder AllowAnonymous()
    {
        IsProtected = true;
        IsOptional = true;
        return this;
    }

    /// <summary>Requires the user to satisfy every given requirement.</summary>
    /// <param name="requirements">The requirements.</param>
    /// <returns>This builder.</returns>
    public FlaatPolicyBuilder Require(params Requirement[] requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        foreach (var requirement in requirements)
        {
            ArgumentNullException.ThrowIfNull(requirement, nameof(requirements));
            _requirements.Add(requirement);
        }

        IsProtected = true;
        return this;
    }

    /// <summary>
    /// Requires the named access level (flaat's <c>access_level</c>), defined in code with
    /// <see cref="FlaatBuilder.AddAccessLevel"/> or in configuration under
    /// <c>Flaat:AccessLevels:&lt;name&gt;</c>. An unknown name fails at start-up.
    /// </summary>
    /// <param name="name">The access level's name.</param>
    /// <returns>This builder.</returns>
    public FlaatPolicyBuilder RequireAccessLevel(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _accessLevels.Add(name);
        IsProtected = true;
        return this;
    }

    /// <summary>
    /// Adds a check on the request (flaat's request requirements). All are evaluated and every
    /// failure is reported. Flaat's HTTP adapters pass the <see cref="HttpContext"/> as the request.
    /// </summary>
    /// <param name="requirement">The check.</param>
    /// <returns>This builder.</returns>
    public FlaatPolicyBuilder RequireRequest(RequestRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        _requestRequirements.Add(requirement);
        IsProtected = true;
        return this;
    }

    /// <summary>Adds a check on the HTTP request for a known user (flaat's request requirements).</summary>
    /// <param name="requirement">The check, given the user and the request's <see cref="HttpContext"/>.</param>
    /// <returns>This builder.</returns>
    public FlaatPolicyBuilder RequireHttpRequest(Func<UserInfos, HttpContext, CheckResult> requirement)
    {
        ArgumentNullException.ThrowIfNull(requirement);
        return RequireRequest((user, request) => request is HttpContext http
            ? requirement(user, http)
            : new CheckResult(false, "The request is not an HTTP request"));
    }

    /// <summary>
    /// Sets the hook that runs when the request is refused (flaat's <c>on_failure</c>). It may
    /// replace the response; the endpoint never runs after a failure.
    /// </summary>
    /// <param name="handler">The hook.</param>
    /// <returns>This builder.</returns>
    public FlaatPolicyBuilder OnFailure(FlaatFailureHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        FailureHandler = handler;
        return this;
    }

    /// <summary>Sets a synchronous on-failure hook; see <see cref="OnFailure(FlaatFailureHandler)"/>.</summary>
    /// <param name="handler">The hook: a response to send instead of Flaat's, or <see langword="null"/> to keep Flaat's.</param>
    /// <returns>This builder.</returns>
    public FlaatPolicyBuilder OnFailure(Func<FlaatFailureContext, IResult?> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return OnFailure(context => ValueTask.FromResult(handler(context)));
    }

    /// <summary>
    /// Requires a WLCG or SciTokens storage capability for the path the request names:
    /// <paramref name="pathTemplate"/> filled with the route values, e.g. <c>/data/{**path}</c>
    /// (see <see cref="Wlcg.Storage(StorageOperation, string)"/>).
    /// </summary>
    /// <param name="operation">The operation.</param>
    /// <param name="pathTemplate">The storage path, with route parameters in braces.</param>
    /// <returns>This builder.</returns>
    public FlaatPolicyBuilder RequireStorage(StorageOperation operation, string pathTemplate) =>
        Require(Wlcg.Storage(operation, pathTemplate));

    /// <summary>Requires a WLCG or SciTokens storage capability for the path computed from the request.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="path">The storage path the request asks for; <see langword="null"/> refuses it.</param>
    /// <returns>This builder.</returns>
    public FlaatPolicyBuilder RequireStorage(StorageOperation operation, Func<HttpContext, string?> path) =>
        Require(Wlcg.Storage(operation, path));

    /// <summary>Requires REFEDS assurance values in <c>eduperson_assurance</c>, all of them (see <see cref="Refeds.Assurance(string)"/>).</summary>
    /// <param name="values">The values, e.g. <c>https://refeds.org/assurance/IAP/medium</c>.</param>
    /// <returns>This builder.</returns>
    public FlaatPolicyBuilder RequireAssurance(params string[] values) =>
        Require(Refeds.Assurance(values));

    /// <summary>The endpoint's DPoP mode (RFC 9449), when it sets one.</summary>
    public DpopMode? Dpop { get; private set; }

    /// <summary>
    /// Sets how tokens may be presented at this endpoint: <see cref="DpopMode.Required"/> accepts only
    /// DPoP-bound tokens with a valid proof; replaces the issuer's and the global <c>Flaat:Dpop:Mode</c>.
    /// </summary>
    /// <param name="mode">The mode.</param>
    /// <returns>This builder.</returns>
    public FlaatPolicyBuilder UseDpop(DpopMode mode = DpopMode.Required)
    {
        Dpop = Enum.IsDefined(mode) ? mode : throw new ArgumentOutOfRangeException(nameof(mode), mode, "Not a DPoP mode.");
        return this;
    }

    /// <summary>Builds the policy, resolving access levels by name.</summary>
    /// <param name="accessLevels">Resolves an access level's name to its requirement.</param>
    /// <param name="endpointName">The endpoint, for error messages.</param>
    /// <exception cref="InvalidOperationException">An access level is unknown.</exception>
    internal FlaatPolicy BuildPolicy(FlaatAccessLevelRegistry accessLevels, string? endpointName)
    {
        var requirements = new List<Requirement>(_requirements.Count + _accessLevels.Count);
        requirements.AddRange(_requirements);
        foreach (var name in _accessLevels)
        {
            requirements.Add(accessLevels.Get(name, endpointName));
        }

        if (!IsOptional && requirements.Count == 0 && _requestRequirements.Count == 0 && Dpop is null)
        {
            return FlaatPolicy.Authenticated;
        }

        return new FlaatPolicy
        {
            UserRequirement = requirements.Count switch
            {
                0 => null,
                1 => requirements[0],
                _ => new AllOf(requirements),
            },
            RequestRequirements = _requestRequirements.ToArray(),
            OptionalAuthentication = IsOptional,
            Dpop = Dpop,
            RequestValues = HttpRequestValues.Instance,
        };
    }
}
