using Flaat.Evaluation;
using Flaat.Requirements;
using Microsoft.AspNetCore.Authorization;

namespace Flaat.AspNetCore;

/// <summary>
/// An ASP.NET Core authorization requirement made of Flaat demands (requirements, access levels,
/// request requirements), for policies and <c>RequireAuthorization</c> with the Flaat scheme.
/// Judged by the one Flaat evaluator, so a refusal carries flaat's <c>error_details</c>.
/// </summary>
public sealed class FlaatAuthorizationRequirement : IAuthorizationRequirement
{
    private readonly Action<FlaatPolicyBuilder> _configure;
    private FlaatPolicy? _policy;

    /// <summary>Creates the requirement.</summary>
    /// <param name="configure">Adds the demands (the same builder the endpoint conventions use).</param>
    public FlaatAuthorizationRequirement(Action<FlaatPolicyBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configure = configure;
    }

    /// <summary>A requirement the user must satisfy.</summary>
    /// <param name="requirements">The Flaat requirements (all must be met).</param>
    public static FlaatAuthorizationRequirement Of(params Requirement[] requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        return new(builder => builder.Require(requirements));
    }

    /// <summary>A named access level the user must have.</summary>
    /// <param name="name">The level's name.</param>
    public static FlaatAuthorizationRequirement AccessLevel(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new(builder => builder.RequireAccessLevel(name));
    }

    internal FlaatPolicy GetPolicy(FlaatAccessLevelRegistry accessLevels, string? endpointName = null)
    {
        if (_policy is null)
        {
            var builder = new FlaatPolicyBuilder { IssuerSupportsAudience = accessLevels.IssuerSupportsAudience.Value };
            _configure(builder);
            _policy = builder.BuildPolicy(accessLevels, endpointName);
        }

        return _policy;
    }
}
