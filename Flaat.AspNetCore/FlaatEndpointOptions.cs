namespace Flaat.AspNetCore;

/// <summary>
/// Flaat's hosting settings: how the ASP.NET Core and gRPC adapters treat endpoints. Configured with
/// <see cref="FlaatBuilder.ConfigureEndpoints"/>; <see cref="RequireAuthenticationByDefault"/> and
/// <see cref="AllowEnvironmentOverrides"/> also bind from the <c>Flaat</c> configuration section.
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
    /// Whether flaat's environment overrides (<c>DISABLE_AUTHENTICATION_AND_ASSUME_AUTHENTICATED_USER</c>,
    /// <c>DISABLE_AUTHORIZATION_AND_ASSUME_AUTHORIZED_USER</c>) are honoured outside the Development
    /// environment (<c>Flaat:AllowEnvironmentOverrides</c>). Default <see langword="false"/>. A warning
    /// is logged at start-up whenever they are active. Sets the default of
    /// <see cref="Flaat.Evaluation.FlaatEvaluatorOptions.HonourEnvironmentOverrides"/>, which code may still set explicitly.
    /// </summary>
    public bool AllowEnvironmentOverrides { get; set; }
}
