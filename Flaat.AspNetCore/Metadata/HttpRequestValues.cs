using System.Globalization;
using Flaat.Requirements;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flaat.AspNetCore;

/// <summary>Route values of an <see cref="HttpContext"/> (also a gRPC call's), for request-dependent requirements.</summary>
internal sealed class HttpRequestValues : IFlaatRequestValues
{
    public static readonly HttpRequestValues Instance = new();

    public string? GetRouteValue(object request, string name) =>
        request is HttpContext http ? Convert.ToString(http.GetRouteValue(name), CultureInfo.InvariantCulture) : null;
}
