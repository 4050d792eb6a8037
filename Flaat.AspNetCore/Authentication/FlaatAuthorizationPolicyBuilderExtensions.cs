using Flaat.AspNetCore;
using Flaat.Requirements;
using Microsoft.AspNetCore.Authorization;

// In the namespace web projects import implicitly (beside the endpoint conventions of the same
// names), so RequireAuthorization(p => p.RequireFlaatAccessLevel("admin")) works without a using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Flaat requirements in ASP.NET Core authorization policies.</summary>
public static class FlaatAuthorizationPolicyBuilderExtensions
{
    /// <summary>Requires Flaat requirements (all of them).</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="requirements">The requirements.</param>
    /// <returns>The policy builder.</returns>
    public static AuthorizationPolicyBuilder RequireFlaat(this AuthorizationPolicyBuilder builder, params Requirement[] requirements)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(FlaatAuthorizationRequirement.Of(requirements));
    }

    /// <summary>Requires whatever a <see cref="FlaatPolicyBuilder"/> describes (requirements, access levels, request requirements).</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="configure">Adds the demands.</param>
    /// <returns>The policy builder.</returns>
    public static AuthorizationPolicyBuilder RequireFlaat(this AuthorizationPolicyBuilder builder, Action<FlaatPolicyBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(new FlaatAuthorizationRequirement(configure));
    }

    /// <summary>Requires a named Flaat access level.</summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="name">The level's name.</param>
    /// <returns>The policy builder.</returns>
    public static AuthorizationPolicyBuilder RequireFlaatAccessLevel(this AuthorizationPolicyBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddRequirements(FlaatAuthorizationRequirement.AccessLevel(name));
    }
}
