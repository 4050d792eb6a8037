using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.ApplicationModels;

namespace Flaat.AspNetCore;

/// <summary>
/// Sets an endpoint's DPoP mode (RFC 9449): <see cref="DpopMode.Required"/> by default, so that only
/// DPoP-bound tokens with a valid proof are accepted. On MVC controllers and actions, and on gRPC
/// service classes and methods; it replaces the issuer's and the global <c>Flaat:Dpop:Mode</c>.
/// The endpoint must be protected by Flaat as well (an attribute or convention that requires a user).
/// </summary>
/// <param name="mode">The mode.</param>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class FlaatDpopAttribute(DpopMode mode = DpopMode.Required) : Attribute, IFlaatMetadata, IControllerModelConvention, IActionModelConvention
{
    /// <summary>The mode.</summary>
    public DpopMode Mode { get; } = mode;

    /// <inheritdoc />
    public void Apply(FlaatPolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseDpop(Mode);
    }

    void IControllerModelConvention.Apply(ControllerModel controller) => FlaatMvcGuard.Apply(controller);

    void IActionModelConvention.Apply(ActionModel action) => FlaatMvcGuard.Apply(action);
}

/// <summary>The endpoint convention for DPoP modes (minimal APIs, groups, controllers, gRPC services).</summary>
public static class FlaatDpopConventionExtensions
{
    /// <summary>
    /// Sets the DPoP mode of the endpoints (<see cref="DpopMode.Required"/> by default); combine it
    /// with <c>RequireFlaat(...)</c>. Replaces the issuer's and the global <c>Flaat:Dpop:Mode</c>.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint builder's type.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="mode">The mode.</param>
    /// <returns>The builder.</returns>
    public static TBuilder WithFlaatDpop<TBuilder>(this TBuilder builder, DpopMode mode = DpopMode.Required)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var metadata = new FlaatMetadata(policy => policy.UseDpop(mode));
        builder.Add(endpoint => endpoint.Metadata.Add(metadata));
        return builder;
    }
}
