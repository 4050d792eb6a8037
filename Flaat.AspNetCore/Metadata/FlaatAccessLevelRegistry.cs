using System.Collections.Frozen;
using Flaat.Requirements;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// The named access levels of the application, by case-insensitive name: flaat's defaults
/// (<c>ANYONE</c>, <c>NOONE</c>, <c>IDENTIFIED</c>), then those defined in code, then those from
/// configuration (which win, so operators can redefine a level without a rebuild); see
/// <see cref="AccessLevel.CreateAll(FlaatAccessOptions, Func{string, bool}?)"/>.
/// </summary>
internal sealed class FlaatAccessLevelRegistry
{
    private readonly Lazy<FrozenDictionary<string, Requirement>> _levels;

    public FlaatAccessLevelRegistry(IOptions<FlaatOptions> options, IOptions<FlaatAccessOptions> accessOptions)
    {
        IssuerSupportsAudience = new(() => Require.IssuerSupportsAudience(options.Value));

        // Invalid configured levels were reported by the options validation at start-up.
        _levels = new(() => AccessLevel.CreateAll(accessOptions.Value, IssuerSupportsAudience.Value)
            .ToFrozenDictionary(static pair => pair.Key, static pair => pair.Value.Requirement, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Which issuers' audiences are checked (per <see cref="IssuerOptions.SupportsAudience"/>).</summary>
    public Lazy<Func<string, bool>> IssuerSupportsAudience { get; }

    /// <summary>The requirement of a level.</summary>
    /// <param name="name">The level's name.</param>
    /// <param name="endpointName">The endpoint that names it, for the error message.</param>
    /// <exception cref="InvalidOperationException">The level is not defined.</exception>
    public Requirement Get(string name, string? endpointName)
    {
        if (_levels.Value.TryGetValue(name, out var requirement))
        {
            return requirement;
        }

        var where = endpointName is null ? "An authorization policy" : $"Endpoint '{endpointName}'";
        throw new InvalidOperationException(
            $"{where} requires the access level '{name}', which is not defined. Define it in code with AddFlaat(...).AddAccessLevel(\"{name}\", requirement) "
            + $"or in configuration under {FlaatOptions.SectionName}:AccessLevels:{name}. Defined levels: {string.Join(", ", _levels.Value.Keys.Order(StringComparer.OrdinalIgnoreCase))}.");
    }
}
