using System.Diagnostics.CodeAnalysis;
using Flaat.Requirements;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Requirements = Flaat.Requirements;

namespace Flaat.AspNetCore;

/// <summary>
/// Requires an authenticated user (flaat's <c>is_authenticated</c>). On MVC controllers and
/// actions, and on gRPC service classes and methods. On an action or method it also undoes a
/// <see cref="FlaatOptionalAttribute"/> of its class.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class FlaatAuthenticatedAttribute : Attribute, IFlaatMetadata, IControllerModelConvention, IActionModelConvention
{
    /// <inheritdoc />
    public void Apply(FlaatPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.RequireAuthenticatedUser();
    }

    void IControllerModelConvention.Apply(ControllerModel controller) => FlaatMvcGuard.Apply(controller);

    void IActionModelConvention.Apply(ActionModel action) => FlaatMvcGuard.Apply(action);
}

/// <summary>
/// Makes authentication optional (flaat's <c>inject_user_infos(strict=False)</c>): a request
/// without an acceptable token proceeds with no user (a <see cref="UserInfos"/> parameter is then
/// <see langword="null"/>); an OP that cannot be reached is still reported (503).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class FlaatOptionalAttribute : Attribute, IFlaatMetadata, IControllerModelConvention, IActionModelConvention
{
    /// <inheritdoc />
    public void Apply(FlaatPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AllowAnonymous();
    }

    void IControllerModelConvention.Apply(ControllerModel controller) => FlaatMvcGuard.Apply(controller);

    void IActionModelConvention.Apply(ActionModel action) => FlaatMvcGuard.Apply(action);
}

/// <summary>
/// Requires a named access level (flaat's <c>access_level</c>), defined in code or under
/// <c>Flaat:AccessLevels:&lt;name&gt;</c>. An unknown name fails at start-up.
/// </summary>
/// <param name="name">The access level's name (case-insensitive).</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class FlaatAccessLevelAttribute(string name) : Attribute, IFlaatMetadata, IControllerModelConvention, IActionModelConvention
{
    /// <summary>The access level's name.</summary>
    public string Name { get; } = name;

    /// <inheritdoc />
    public void Apply(FlaatPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.RequireAccessLevel(Name);
    }

    void IControllerModelConvention.Apply(ControllerModel controller) => FlaatMvcGuard.Apply(controller);

    void IActionModelConvention.Apply(ActionModel action) => FlaatMvcGuard.Apply(action);
}

/// <summary>
/// The base of the attributes that require values of a claim (flaat's <c>get_claim_requirement</c>
/// family), built with the core's <see cref="Require"/> factories. Invalid values fail at start-up,
/// naming the endpoint.
/// </summary>
public abstract class FlaatClaimRequirementAttribute : Attribute, IFlaatMetadata, IControllerModelConvention, IActionModelConvention
{
    private protected FlaatClaimRequirementAttribute(string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Values = values;
    }

    /// <summary>The required values.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>
    /// How many of <see cref="Values"/> must be matched: <c>all</c>, <c>one</c>, or a number. Default:
    /// <c>all</c>, except for audiences (<c>one</c>).
    /// </summary>
    public string? MustMatch { get; set; }

    /// <inheritdoc />
    public void Apply(FlaatPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var match = MustMatch is null ? (Requirements.Match?)null : Requirements.Match.Parse(MustMatch);
        builder.Require(Create(match, builder.IssuerSupportsAudience));
    }

    void IControllerModelConvention.Apply(ControllerModel controller) => FlaatMvcGuard.Apply(controller);

    void IActionModelConvention.Apply(ActionModel action) => FlaatMvcGuard.Apply(action);

    private protected abstract Requirement Create(Match? match, Func<string, bool>? issuerSupportsAudience);
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

    private protected override Requirement Create(Match? match, Func<string, bool>? issuerSupportsAudience) =>
        Require.Claim(Values, Claim, match ?? Requirements.Match.All);
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
    public string Claim { get; set; } = Require.DefaultVoClaim;

    private protected override Requirement Create(Match? match, Func<string, bool>? issuerSupportsAudience) =>
        Require.Vo(Values, Claim, match ?? Requirements.Match.All);
}

/// <summary>
/// Requires the token's audience (<c>aud</c>) to hold values (flaat's <c>get_audience_requirement</c>);
/// issuers configured with <see cref="IssuerOptions.SupportsAudience"/> off are not checked.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class FlaatAudienceAttribute : FlaatClaimRequirementAttribute
{
    /// <summary>Requires audiences.</summary>
    /// <param name="audiences">The required audiences.</param>
    public FlaatAudienceAttribute(params string[] audiences)
        : base(audiences)
    {
    }

    private protected override Requirement Create(Match? match, Func<string, bool>? issuerSupportsAudience) =>
        Require.Audience(Values, issuerSupportsAudience, match);
}

/// <summary>
/// Sets the on-failure hook of a controller, action, gRPC service or method: a
/// <see cref="IFlaatFailureHandler"/> created from the request's services.
/// </summary>
/// <param name="handlerType">A class implementing <see cref="IFlaatFailureHandler"/>.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class FlaatOnFailureAttribute([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type handlerType) : Attribute, IFlaatMetadata, IControllerModelConvention, IActionModelConvention
{
    /// <summary>The hook's type.</summary>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)]
    public Type HandlerType { get; } = handlerType;

    /// <inheritdoc />
    public void Apply(FlaatPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.OnFailure(FlaatFailureHandlers.FromType(HandlerType));
    }

    void IControllerModelConvention.Apply(ControllerModel controller) => FlaatMvcGuard.Apply(controller);

    void IActionModelConvention.Apply(ActionModel action) => FlaatMvcGuard.Apply(action);
}

/// <summary>An on-failure hook as a class (for <see cref="FlaatOnFailureAttribute"/>).</summary>
public interface IFlaatFailureHandler
{
    /// <summary>Runs when Flaat refuses a request; see <see cref="FlaatFailureHandler"/>.</summary>
    /// <param name="context">The failure.</param>
    /// <returns>The replacement response, or <see langword="null"/> to send Flaat's.</returns>
    ValueTask<Microsoft.AspNetCore.Http.IResult?> OnFailureAsync(FlaatFailureContext context);
}

/// <summary>
/// Requires a WLCG or SciTokens storage capability for the path the request names (see
/// <see cref="Wlcg.Storage(StorageOperation, string)"/>), e.g.
/// <c>[FlaatStorage(StorageOperation.Read, "/data/{**path}")]</c> on an action routed <c>files/{**path}</c>.
/// </summary>
/// <param name="operation">The operation.</param>
/// <param name="pathTemplate">The storage path, with route parameters in braces.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class FlaatStorageAttribute(StorageOperation operation, string pathTemplate) : Attribute, IFlaatMetadata, IControllerModelConvention, IActionModelConvention
{
    /// <summary>The operation.</summary>
    public StorageOperation Operation { get; } = operation;

    /// <summary>The storage path template.</summary>
    public string PathTemplate { get; } = pathTemplate;

    /// <inheritdoc />
    public void Apply(FlaatPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.RequireStorage(Operation, PathTemplate);
    }

    void IControllerModelConvention.Apply(ControllerModel controller) => FlaatMvcGuard.Apply(controller);

    void IActionModelConvention.Apply(ActionModel action) => FlaatMvcGuard.Apply(action);
}

/// <summary>Requires WLCG groups in <c>wlcg.groups</c> (see <see cref="Wlcg.Group(string)"/>); all by default.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class FlaatWlcgGroupAttribute : FlaatClaimRequirementAttribute
{
    /// <summary>Requires groups.</summary>
    /// <param name="groups">The group paths, e.g. <c>/cms/uscms</c>.</param>
    public FlaatWlcgGroupAttribute(params string[] groups)
        : base(groups)
    {
    }

    private protected override Requirement Create(Match? match, Func<string, bool>? issuerSupportsAudience) =>
        Wlcg.Group(Values, match ?? Requirements.Match.All);
}

/// <summary>
/// Requires REFEDS assurance values in <c>eduperson_assurance</c>, met by values that imply them
/// (see <see cref="Refeds.Assurance(string)"/>); all by default.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class FlaatAssuranceAttribute : FlaatClaimRequirementAttribute
{
    /// <summary>Requires assurance values.</summary>
    /// <param name="values">The values, e.g. <c>https://refeds.org/assurance/IAP/medium</c>.</param>
    public FlaatAssuranceAttribute(params string[] values)
        : base(values)
    {
    }

    private protected override Requirement Create(Match? match, Func<string, bool>? issuerSupportsAudience) =>
        Refeds.Assurance(Values, match ?? Requirements.Match.All);
}

/// <summary>Requires the authentication context class (<c>acr</c>) to be one of the values (see <see cref="Refeds.Acr"/>).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class FlaatAcrAttribute : FlaatClaimRequirementAttribute
{
    /// <summary>Requires an <c>acr</c> value.</summary>
    /// <param name="values">The acceptable values, e.g. <c>https://refeds.org/profile/mfa</c>.</param>
    public FlaatAcrAttribute(params string[] values)
        : base(values)
    {
    }

    private protected override Requirement Create(Match? match, Func<string, bool>? issuerSupportsAudience) =>
        Require.Claim(Values, "acr", match ?? Requirements.Match.One);
}
