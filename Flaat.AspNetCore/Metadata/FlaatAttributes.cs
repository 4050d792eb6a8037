using Flaat.Requirements;

namespace Flaat.AspNetCore;

/// <summary>
/// Requires an authenticated user (flaat's <c>is_authenticated</c>). On MVC controllers and
/// actions, and on gRPC service classes and methods. On an action or method it also undoes a
/// <see cref="FlaatOptionalAttribute"/> of its class.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class FlaatAuthenticatedAttribute : Attribute, IFlaatMetadata
{
    /// <inheritdoc />
    public void Apply(FlaatPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.RequireAuthenticatedUser();
    }
}

/// <summary>
/// Makes authentication optional (flaat's <c>inject_user_infos(strict=False)</c>): a request
/// without an acceptable token proceeds with no user (a <see cref="UserInfos"/> parameter is then
/// <see langword="null"/>); an OP that cannot be reached is still reported (503).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class FlaatOptionalAttribute : Attribute, IFlaatMetadata
{
    /// <inheritdoc />
    public void Apply(FlaatPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AllowAnonymous();
    }
}

/// <summary>
/// Requires a named access level (flaat's <c>access_level</c>), defined in code or under
/// <c>Flaat:AccessLevels:&lt;name&gt;</c>. An unknown name fails at start-up.
/// </summary>
/// <param name="name">The access level's name (case-insensitive).</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class FlaatAccessLevelAttribute(string name) : Attribute, IFlaatMetadata
{
    /// <summary>The access level's name.</summary>
    public string Name { get; } = name;

    /// <inheritdoc />
    public void Apply(FlaatPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.RequireAccessLevel(Name);
    }
}

/// <summary>
/// The base of the attributes that require claim values (flaat's <c>get_claim_requirement</c>
/// family): the requirement is built once, with the same rules as an access level from
/// configuration.
/// </summary>
public abstract class FlaatClaimRequirementAttribute : Attribute, IFlaatMetadata
{
    private Requirement? _requirement;

    private protected FlaatClaimRequirementAttribute(string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Values = values;
    }

    /// <summary>The required values.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>How many of <see cref="Values"/> must be matched: <c>all</c> (default), <c>one</c>, or a number.</summary>
    public string MustMatch { get; set; } = "all";

    private protected abstract string Kind { get; }

    private protected abstract string? ClaimName { get; }

    /// <inheritdoc />
    public void Apply(FlaatPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Require(_requirement ??= FlaatAccessLevelConversion.ToRequirement(
            $"[{GetType().Name}]",
            new AccessLevelOptions { Kind = Kind, Claim = ClaimName, Values = [.. Values], Match = MustMatch }));
    }
}

/// <summary>Requires values of a claim (flaat's <c>get_claim_requirement</c>): a list claim matches when any element equals a value.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class FlaatClaimAttribute : FlaatClaimRequirementAttribute
{
    /// <summary>Requires values of a claim.</summary>
    /// <param name="claim">The claim, as the OP names it (e.g. <c>email</c>, <c>groups</c>).</param>
    /// <param name="values">The required values.</param>
    public FlaatClaimAttribute(string claim, params string[] values)
        : base(values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(claim);
        Claim = claim;
    }

    /// <summary>The claim.</summary>
    public string Claim { get; }

    private protected override string Kind => "claim";

    private protected override string? ClaimName => Claim;
}

/// <summary>
/// Requires membership of virtual organisations (flaat's <c>get_vo_requirement</c>): groups, or
/// AARC entitlements compared by the AARC rules (a subgroup member is a member of the parent).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class FlaatVoAttribute : FlaatClaimRequirementAttribute
{
    /// <summary>Requires entitlements or groups.</summary>
    /// <param name="entitlements">The required entitlements or groups.</param>
    public FlaatVoAttribute(params string[] entitlements)
        : base(entitlements)
    {
    }

    /// <summary>The claim holding them. Default <c>eduperson_entitlement</c>.</summary>
    public string Claim { get; set; } = "eduperson_entitlement";

    private protected override string Kind => "vo";

    private protected override string? ClaimName => Claim;
}

/// <summary>Requires the token's audience (<c>aud</c>) to hold values (flaat's <c>get_audience_requirement</c>).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class FlaatAudienceAttribute : FlaatClaimRequirementAttribute
{
    /// <summary>Requires audiences.</summary>
    /// <param name="audiences">The required audiences.</param>
    public FlaatAudienceAttribute(params string[] audiences)
        : base(audiences)
    {
    }

    private protected override string Kind => "audience";

    private protected override string? ClaimName => null;
}

/// <summary>
/// Sets the on-failure hook of a controller, action, gRPC service or method: a
/// <see cref="IFlaatFailureHandler"/> created from the request's services.
/// </summary>
/// <param name="handlerType">A class implementing <see cref="IFlaatFailureHandler"/>.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class FlaatOnFailureAttribute(Type handlerType) : Attribute, IFlaatMetadata
{
    /// <summary>The hook's type.</summary>
    public Type HandlerType { get; } = handlerType;

    /// <inheritdoc />
    public void Apply(FlaatPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.OnFailure(FlaatFailureHandlers.FromType(HandlerType));
    }
}

/// <summary>An on-failure hook as a class (for <see cref="FlaatOnFailureAttribute"/>).</summary>
public interface IFlaatFailureHandler
{
    /// <summary>Runs when Flaat refuses a request; see <see cref="FlaatFailureHandler"/>.</summary>
    /// <param name="context">The failure.</param>
    /// <returns>The replacement response, or <see langword="null"/> to send Flaat's.</returns>
    ValueTask<Microsoft.AspNetCore.Http.IResult?> OnFailureAsync(FlaatFailureContext context);
}
