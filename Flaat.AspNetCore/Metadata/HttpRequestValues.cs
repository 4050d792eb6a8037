using System.Globalization;
using Flaat.Requirements;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flaat.AspNetCore;

/// <summary>Route values of an <see cref="HttpContext"/>, for request-dependent requirements.</summary>
internal sealed class HttpRequestValues : IFlaatRequestValues
{
    public static readonly HttpRequestValues Instance = new();

    // A parameter the endpoint's route has but the request left empty (an empty catch-all) is the
    // empty string; a name the route does not have is null, so a template with a mistyped name is
    // refused rather than read as an empty path (which would check the template's prefix alone).
    public string? GetRouteValue(object request, string name)
    {
        if (request is not HttpContext http)
        {
            return null;
        }

        if (http.GetRouteValue(name) is { } value)
        {
            return Convert.ToString(value, CultureInfo.InvariantCulture);
        }

        return http.GetEndpoint() is RouteEndpoint { RoutePattern: var pattern } && pattern.GetParameter(name) is not null ? string.Empty : null;
    }
}
