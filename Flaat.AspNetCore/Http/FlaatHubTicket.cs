using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// SignalR hubs guarded by Flaat's endpoint gate (<c>MapHub&lt;T&gt;(...).RequireFlaat(...)</c>).
/// A connection lives far longer than its token may: SignalR closes it when the authentication
/// ticket expires (<c>HttpConnectionDispatcherOptions.CloseOnAuthenticationExpiration</c>), reading
/// the request's <see cref="IAuthenticateResultFeature"/>. The gate does not go through ASP.NET
/// Core's authentication, so for a hub it records the ticket the Flaat authentication scheme would
/// make (its expiry the token's) and makes the user <c>HttpContext.User</c> (the hub's <c>Context.User</c>).
/// SignalR's default for that option is <see langword="false"/> (connections outlive their token), so
/// the gate turns it on for every hub it guards (<see cref="CloseOnExpiry"/>), and the start-up check
/// stops an application whose Flaat-guarded hub it could not turn on (<see cref="FindOpenEndedHubs"/>).
/// </summary>
internal static class FlaatHubTicket
{
    private static readonly FlaatAuthenticationOptions DefaultOptions = new();

    /// <summary>Whether an endpoint belongs to a SignalR hub (its negotiate or connect endpoint).</summary>
    public static bool IsHubEndpoint(IEnumerable<object> metadata) => metadata.Any(static item => item is HubMetadata);

    /// <summary>
    /// Turns on <c>CloseOnAuthenticationExpiration</c> for a hub the gate guards: <c>MapHub</c> (through
    /// <c>MapConnections</c>) puts into the negotiate endpoint's metadata the very
    /// <see cref="HttpConnectionDispatcherOptions"/> instance its dispatcher reads per connection.
    /// Without this, <c>MapHub&lt;H&gt;(p).RequireFlaat()</c> keeps a connection open for hours after its token expired.
    /// </summary>
    public static void CloseOnExpiry(EndpointBuilder endpoint)
    {
        foreach (var options in endpoint.Metadata.OfType<HttpConnectionDispatcherOptions>())
        {
            options.CloseOnAuthenticationExpiration = true;
        }
    }

    /// <summary>
    /// Flaat-guarded hubs whose connections would outlive their token: no endpoint of the hub's route
    /// carries dispatcher options with <c>CloseOnAuthenticationExpiration</c> on (a SignalR version
    /// that no longer puts them in metadata, or an endpoint dressed as a hub by hand).
    /// </summary>
    public static IEnumerable<string> FindOpenEndedHubs(IEnumerable<Endpoint> endpoints)
    {
        const string Negotiate = "/negotiate";
        return endpoints
            .OfType<RouteEndpoint>()
            .Where(static endpoint => endpoint.Metadata.GetMetadata<HubMetadata>() is not null && FlaatEndpointGate.IsInstalled(endpoint.Metadata))
            .GroupBy(static endpoint =>
            {
                var pattern = endpoint.RoutePattern.RawText ?? endpoint.DisplayName ?? "";
                return pattern.EndsWith(Negotiate, StringComparison.Ordinal) ? pattern[..^Negotiate.Length] : pattern;
            }, StringComparer.Ordinal)
            .Where(static hub => !hub.Any(static endpoint => endpoint.Metadata.OfType<HttpConnectionDispatcherOptions>().Any(static o => o.CloseOnAuthenticationExpiration)))
            .Select(static hub => $"Hub '{hub.First().Metadata.GetMetadata<HubMetadata>()!.HubType.Name}' at '{hub.Key}' is guarded by Flaat, but its connections "
                + "would stay open after their token expires and Flaat could not find its dispatcher options to change that: "
                + "map it with MapHub<THub>(pattern, o => o.CloseOnAuthenticationExpiration = true).");
    }

    /// <summary>Records the admitted user's ticket for the hub's connection; nothing without a user (optional authentication).</summary>
    public static void Record(HttpContext context)
    {
        if (context.GetUserInfos() is not { } user)
        {
            return;
        }

        var scheme = FlaatAuthenticationDefaults.AuthenticationScheme;
        var options = context.RequestServices.GetService<IOptionsMonitor<FlaatAuthenticationOptions>>()?.Get(scheme) ?? DefaultOptions;
        var principal = UserInfosPrincipal.Create(user, scheme, options);
        var properties = FlaatAuthenticationHandler.TicketProperties(user);
        // An unknown expiry (an opaque token without introspection, a userinfo-only OP) would make
        // SignalR keep the connection for ever: end it when Flaat would validate the token again.
        if (properties.ExpiresUtc is null)
        {
            var now = (context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
            var lifetime = context.RequestServices.GetService<IOptions<FlaatOptions>>()?.Value.Cache.MaxUserInfosLifetime ?? new FlaatCacheOptions().MaxUserInfosLifetime;
            properties.ExpiresUtc = now + lifetime;
        }

        var result = AuthenticateResult.Success(new AuthenticationTicket(principal, properties, scheme));

        // The user first: ASP.NET Core's own feature forgets its result when the user is set.
        context.User = principal;
        if (context.Features.Get<IAuthenticateResultFeature>() is { } feature)
        {
            feature.AuthenticateResult = result;
        }
        else
        {
            context.Features.Set<IAuthenticateResultFeature>(new ResultFeature(result));
        }
    }

    /// <summary>
    /// Why a hub's Flaat attributes would not be enforced, or <see langword="null"/>: SignalR applies
    /// a hub class's attributes to its endpoints (where the gate judges them), but Flaat attributes on
    /// hub methods are judged by nothing — SignalR authorises methods only through <c>[Authorize]</c>.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "SignalR invokes a hub's public methods by reflection, so they are kept.")]
    public static string? FindUnenforcedMethodAttributes(Endpoint endpoint, AuthorizationOptions? authorization = null)
    {
        if (endpoint.Metadata.GetMetadata<HubMetadata>() is not { } hub)
        {
            return null;
        }

        var methods = hub.HubType.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(method => method.GetCustomAttributes(inherit: true).Any(item => item is IFlaatMetadata || IsFlaatPolicy(item, authorization)))
            .Select(static method => method.Name)
            .ToArray();
        return methods.Length == 0
            ? null
            : $"Hub '{hub.HubType.Name}' has Flaat attributes or [Authorize] with a Flaat policy on its methods ({string.Join(", ", methods)}), but SignalR judges "
                + "a connection, not each call, with Flaat (a Flaat policy on a hub method always fails), so they would not be enforced: put them on the hub class "
                + "(with .RequireFlaat() on MapHub), or map a hub of their own.";
    }

    /// <summary>An <c>[Authorize(Policy = ...)]</c> naming a policy with Flaat requirements: Flaat's handler judges requests, not hub invocations.</summary>
    private static bool IsFlaatPolicy(object attribute, AuthorizationOptions? authorization) =>
        attribute is IAuthorizeData { Policy: { } name }
        && authorization?.GetPolicy(name) is { } policy
        && policy.Requirements.OfType<FlaatAuthorizationRequirement>().Any();

    private sealed class ResultFeature(AuthenticateResult result) : IAuthenticateResultFeature
    {
        public AuthenticateResult? AuthenticateResult { get; set; } = result;
    }
}
