namespace Flaat.Requirements;

/// <summary>
/// The application's named access levels (flaat's access levels), by case-insensitive name, both
/// those from configuration (<c>Flaat:AccessLevels:&lt;name&gt;</c>, bound from the same section as
/// <see cref="FlaatOptions"/>) and those defined in code. A configured level replaces a level of the
/// same name defined in code, so operators can tune a level without a rebuild; both may redefine the
/// defaults <c>ANYONE</c>, <c>NOONE</c> and <c>IDENTIFIED</c>. Audience levels honour
/// <see cref="IssuerOptions.SupportsAudience"/>, which stays with the engine's per-issuer settings
/// because the engine's audience check of a token reads it too.
/// </summary>
public sealed class FlaatAccessOptions
{
    /// <summary>Levels from configuration: <c>Flaat:AccessLevels:&lt;name&gt;</c>. Names are case-insensitive.</summary>
    public IDictionary<string, AccessLevelOptions> AccessLevels { get; } = new Dictionary<string, AccessLevelOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Levels defined in code (<c>AddFlaat(...).AddAccessLevel(name, requirement)</c>). Names are case-insensitive.</summary>
    public IDictionary<string, Requirement> DefinedInCode { get; } = new Dictionary<string, Requirement>(StringComparer.OrdinalIgnoreCase);
}
