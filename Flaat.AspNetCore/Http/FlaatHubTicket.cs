using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
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
/// </summary>
internal static class FlaatHubTicket
{
    private static readonly FlaatAuthenticationOptions DefaultOptions = new();

    /// <summary>Whether an endpoint belongs to a SignalR hub (its negotiate or connect endpoint).</summary>
    public static bool IsHubEndpoint(IEnumerable<object> metadata) => metadata.Any(static item => item is HubMetadata);

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
        var result = AuthenticateResult.Success(new AuthenticationTicket(principal, FlaatAuthenticationHandler.TicketProperties(user), scheme));

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
    public static string? FindUnenforcedMethodAttributes(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<HubMetadata>() is not { } hub)
        {
            return null;
        }

        var methods = hub.HubType.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(static method => method.GetCustomAttributes(inherit: true).OfType<IFlaatMetadata>().Any())
            .Select(static method => method.Name)
            .ToArray();
        return methods.Length == 0
            ? null
            : $"Hub '{hub.HubType.Name}' has Flaat attributes on its methods ({string.Join(", ", methods)}), but SignalR judges a connection, not each call, "
                + "so they would not be enforced: put them on the hub class (with .RequireFlaat() on MapHub), or map a hub of their own.";
    }

    private sealed class ResultFeature(AuthenticateResult result) : IAuthenticateResultFeature
    {
        public AuthenticateResult? AuthenticateResult { get; set; } = result;
    }
}
