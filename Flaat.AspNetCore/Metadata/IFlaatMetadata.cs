namespace Flaat.AspNetCore;

/// <summary>
/// Endpoint metadata that contributes to an endpoint's Flaat policy. Attributes (on MVC
/// controllers and actions, gRPC service classes and methods) and endpoint conventions
/// (<c>.RequireFlaat(...)</c>) add such metadata; the <see cref="FlaatEndpointPolicyResolver"/>
/// applies every item, from the most general to the most specific, to one
/// <see cref="FlaatPolicyBuilder"/>.
/// </summary>
public interface IFlaatMetadata
{
    /// <summary>Adds this item's demands to the endpoint's policy.</summary>
    /// <param name="builder">The endpoint's policy builder.</param>
    void Apply(FlaatPolicyBuilder builder);
}
