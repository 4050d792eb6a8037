using Flaat.Requirements;

namespace Flaat.AspNetCore;

/// <summary>
/// How Flaat's ASP.NET Core and gRPC adapters treat endpoints. Configured with
/// <see cref="FlaatBuilder.ConfigureEndpoints"/>; <see cref="RequireAuthenticationByDefault"/>
/// also binds from the <c>Flaat</c> configuration section.
/// </summary>
public sealed class FlaatEndpointOptions
{
    /// <summary>
    /// Whether MVC actions (through the global filter) and gRPC methods without any Flaat metadata
    /// require an authenticated user. <c>[AllowAnonymous]</c> exempts an endpoint. Default
    /// <see langword="false"/>: endpoints without Flaat metadata are left alone.
    /// </summary>
    public bool RequireAuthenticationByDefault { get; set; }

    /// <summary>
    /// Whether the Flaat filter is added to every MVC action (needed for
    /// <see cref="RequireAuthenticationByDefault"/> on MVC). Actions with Flaat attributes are judged
    /// either way: with this off, each gets the filter of its own. Default <see langword="true"/>.
    /// </summary>
    public bool AddMvcFilter { get; set; } = true;

    /// <summary>The on-failure hook of endpoints that set none of their own.</summary>
    public FlaatFailureHandler? OnFailure { get; set; }

    /// <summary>
    /// The <c>Retry-After</c> sent with a 503 when the engine does not know when the OP will be
    /// back. Default 5 s.
    /// </summary>
    public TimeSpan RetryAfterWhenUnknown { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Access levels defined in code, by name (case-insensitive). A level of the same name in
    /// configuration (<c>Flaat:AccessLevels:&lt;name&gt;</c>) replaces the one defined here, so
    /// operators can tune a level without a rebuild.
    /// </summary>
    public IDictionary<string, Requirement> AccessLevels { get; } = new Dictionary<string, Requirement>(StringComparer.OrdinalIgnoreCase);
}
