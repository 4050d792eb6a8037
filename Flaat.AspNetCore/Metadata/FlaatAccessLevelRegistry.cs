using System.Collections.Frozen;
using Flaat.Requirements;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// The named access levels of the application: flaat's defaults, those defined in code, and
/// those from configuration (which win), by case-insensitive name.
/// </summary>
internal sealed class FlaatAccessLevelRegistry
{
    private readonly Lazy<FrozenDictionary<string, Requirement>> _levels;

    public FlaatAccessLevelRegistry(IOptions<FlaatOptions> options, IOptions<FlaatEndpointOptions> endpointOptions)
    {
        _levels = new(() => Build(options.Value, endpointOptions.Value));
    }

    /// <summary>The names of every defined level.</summary>
    public IEnumerable<string> Names => _levels.Value.Keys;

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

        var where = endpointName is null ? "An endpoint" : $"Endpoint '{endpointName}'";
        throw new InvalidOperationException(
            $"{where} requires the access level '{name}', which is not defined. Define it in code with AddFlaat(...).AddAccessLevel(\"{name}\", requirement) "
            + $"or in configuration under {FlaatOptions.SectionName}:AccessLevels:{name}. Defined levels: {string.Join(", ", _levels.Value.Keys.Order(StringComparer.OrdinalIgnoreCase))}.");
    }

    private static FrozenDictionary<string, Requirement> Build(FlaatOptions options, FlaatEndpointOptions endpointOptions)
    {
        var levels = new Dictionary<string, Requirement>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, requirement) in endpointOptions.AccessLevels)
        {
            levels[name] = requirement;
        }

        foreach (var (name, level) in options.AccessLevels)
        {
            levels[name] = FlaatAccessLevelConversion.ToRequirement(name, level);
        }

        return levels.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>Turns a configured access level into a requirement (the core's conversion).</summary>
internal static class FlaatAccessLevelConversion
{
    /// <summary>Converts <c>Flaat:AccessLevels:&lt;name&gt;</c>.</summary>
    /// <exception cref="ArgumentException">The level is invalid; the message names the setting.</exception>
    public static Requirement ToRequirement(string name, AccessLevelOptions level) =>
        throw new ArgumentException($"{FlaatOptions.SectionName}:AccessLevels:{name}: access levels from configuration need the core's conversion, which is not on main yet.", nameof(level));
}
