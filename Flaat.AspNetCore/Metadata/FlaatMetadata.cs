namespace Flaat.AspNetCore;

/// <summary>
/// Flaat metadata described with a <see cref="FlaatPolicyBuilder"/>: what <c>.RequireFlaat(...)</c>
/// conventions add to endpoints (minimal APIs, groups, controllers, gRPC services).
/// </summary>
public sealed class FlaatMetadata : IFlaatMetadata
{
    private readonly Action<FlaatPolicyBuilder> _configure;

    /// <summary>Creates the metadata.</summary>
    /// <param name="configure">Adds the endpoint's demands to its policy builder.</param>
    public FlaatMetadata(Action<FlaatPolicyBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _configure = configure;
    }

    /// <inheritdoc />
    public void Apply(FlaatPolicyBuilder builder) => _configure(builder);
}
