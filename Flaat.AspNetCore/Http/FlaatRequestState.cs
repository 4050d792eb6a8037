namespace Flaat.AspNetCore;

/// <summary>
/// What Flaat learned about one request: stored in <c>HttpContext.Features</c> and in the request's
/// DI scope (so a <see cref="UserInfos"/> parameter of a handler or action binds from it).
/// </summary>
internal sealed class FlaatRequestState
{
    /// <summary>
    /// Stands for "no user" where a value must be given (the DI container cannot hand out null to
    /// minimal APIs); Flaat's minimal-API filter turns it back into <see langword="null"/>.
    /// </summary>
    public static readonly UserInfos NoUser = new(null, System.Text.Json.JsonDocument.Parse("{}").RootElement.Clone());

    /// <summary>Whether a Flaat adapter judged the request (the gate or the authentication handler).</summary>
    public bool IsEvaluated { get; private set; }

    /// <summary>Whether the gate of the endpoint's Flaat policy has already run (adapters are de-duplicated).</summary>
    public bool GatePassed { get; set; }

    /// <summary>The user; <see langword="null"/> when there is none (optional authentication, a failure).</summary>
    public UserInfos? UserInfos { get; private set; }

    /// <summary>Whether the endpoint's handler takes "no user" as a null <see cref="UserInfos"/> (Flaat's minimal-API filter is installed).</summary>
    public bool NoUserBindsAsNull { get; set; }

    /// <summary>The failure of the authentication scheme, rendered by its challenge.</summary>
    public FlaatError? AuthenticationError { get; set; }

    /// <summary>Whether the request carried a bearer token.</summary>
    public bool TokenPresented { get; set; }

    /// <summary>The failure of an authorization requirement, rendered by the scheme's forbid.</summary>
    public FlaatError? AuthorizationError { get; set; }

    public void SetUser(UserInfos? userInfos)
    {
        IsEvaluated = true;
        UserInfos = userInfos;
    }
}
