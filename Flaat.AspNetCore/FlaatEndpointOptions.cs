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

    /// <summary>
    /// The paths on which a token in the <c>access_token</c> query parameter (RFC 6750 section 2.3)
    /// is read — only for WebSocket upgrades and server-sent-event requests (<c>Accept: text/event-stream</c>),
    /// what browsers' SignalR, WebSocket and <c>EventSource</c> clients send, since they cannot set
    /// an <c>Authorization</c> header. Each is a path prefix matched on segment boundaries, case-insensitively
    /// (<c>/hubs/chat</c> covers <c>/hubs/chat/negotiate</c>, not <c>/hubs/chatroom</c>), against the
    /// request's path below its path base; each must start with <c>/</c>. Everywhere else the
    /// parameter is never read. A request that presents a token both there and in the
    /// <c>Authorization</c> header is refused. Binds from <c>Flaat:QueryTokenPaths</c>; also set by
    /// <see cref="FlaatBuilder.ReadQueryTokenOn"/>. Default: empty (the query string is never read).
    /// </summary>
    public IList<string> QueryTokenPaths { get; } = [];
}
