using Flaat.Requirements;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.AspNetCore;

/// <summary>Configures Flaat after <c>services.AddFlaat(...)</c>: access levels, endpoint behaviour.</summary>
public sealed class FlaatBuilder
{
    internal FlaatBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// Defines a named access level in code (flaat's access levels). A level of the same name under
    /// <c>Flaat:AccessLevels</c> in configuration replaces it.
    /// </summary>
    /// <param name="name">The level's name, case-insensitive.</param>
    /// <param name="requirement">What a user must satisfy.</param>
    /// <returns>This builder.</returns>
    public FlaatBuilder AddAccessLevel(string name, Requirement requirement)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(requirement);
        Services.Configure<FlaatAccessOptions>(options => options.DefinedInCode[name] = requirement);
        return this;
    }

    /// <summary>Configures how endpoints are treated (default authentication, the on-failure hook, environment overrides, ...).</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This builder.</returns>
    public FlaatBuilder ConfigureEndpoints(Action<FlaatEndpointOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }

    /// <summary>Changes Flaat's settings further (after configuration binding).</summary>
    /// <param name="configure">Changes the options.</param>
    /// <returns>This builder.</returns>
    public FlaatBuilder Configure(Action<FlaatOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }
}
