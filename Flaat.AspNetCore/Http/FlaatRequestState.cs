namespace Flaat.AspNetCore;

/// <summary>
/// Flaat's private notes on one request, shared by the feature collection and the request's DI
/// scope: the public <see cref="FlaatFeature"/> (so a <see cref="UserInfos"/> parameter binds from
/// it without <c>IHttpContextAccessor</c>), whether the endpoint's gate already let the request
/// through, how "no user" reaches a minimal-API handler, and the errors the authentication
/// scheme's challenge and forbid render.
/// </summary>
internal sealed class FlaatRequestState
{
    /// <summary>
    /// Stands for "no user" where a value must be given: minimal APIs resolve an inferred service
    /// parameter with <c>GetRequiredService</c> even when it is declared nullable, so the container
    /// cannot hand out null; Flaat's endpoint filter turns the placeholder back into <see langword="null"/>.
    /// </summary>
    public static readonly UserInfos NoUser = new(null, System.Text.Json.JsonDocument.Parse("{}").RootElement.Clone());

    /// <summary>Whether the endpoint's handler takes "no user" as a null <see cref="UserInfos"/> (Flaat's endpoint filter is installed).</summary>
    public bool NoUserBindsAsNull { get; set; }

    /// <summary>The last judgement of the request; <see langword="null"/> when no Flaat adapter judged it.</summary>
    public FlaatFeature? Feature { get; set; }

    /// <summary>Whether the gate of the endpoint's Flaat policy has already run (adapters are de-duplicated).</summary>
    public bool GatePassed { get; set; }

    /// <summary>The failure of the authentication scheme, rendered by its challenge.</summary>
    public FlaatError? AuthenticationError { get; set; }

    /// <summary>The failure of an authorization requirement, rendered by the scheme's forbid.</summary>
    public FlaatError? AuthorizationError { get; set; }
}
