using Flaat.AspNetCore;
using Flaat.Requirements;
using Microsoft.AspNetCore.Authentication;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Flaat authentication scheme and Flaat requirements to authorization policies.</summary>
public static class FlaatAuthenticationExtensions
{
    /// <summary>
    /// Adds the Flaat authentication scheme (named <c>Flaat</c>): <c>HttpContext.User</c> is built
    /// from the token's <see cref="Flaat.UserInfos"/>. Call <c>services.AddFlaat(...)</c> as well.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <returns>The authentication builder.</returns>
    public static AuthenticationBuilder AddFlaat(this AuthenticationBuilder builder) =>
        builder.AddFlaat(FlaatAuthenticationDefaults.AuthenticationScheme, configure: null);

    /// <summary>Adds the Flaat authentication scheme (named <c>Flaat</c>) with settings.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configure">Changes the scheme's settings.</param>
    /// <returns>The authentication builder.</returns>
    public static AuthenticationBuilder AddFlaat(this AuthenticationBuilder builder, Action<FlaatAuthenticationOptions> configure) =>
        builder.AddFlaat(FlaatAuthenticationDefaults.AuthenticationScheme, configure);

    /// <summary>Adds the Flaat authentication scheme under a name of your choice.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme's name.</param>
    /// <param name="configure">Changes the scheme's settings.</param>
    /// <returns>The authentication builder.</returns>
    public static AuthenticationBuilder AddFlaat(this AuthenticationBuilder builder, string authenticationScheme, Action<FlaatAuthenticationOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddScheme<FlaatAuthenticationOptions, FlaatAuthenticationHandler>(authenticationScheme, displayName: "Flaat", configure);
    }
}
