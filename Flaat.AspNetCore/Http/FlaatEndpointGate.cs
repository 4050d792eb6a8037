using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.AspNetCore;

/// <summary>
/// Puts Flaat's gate in front of an endpoint's request delegate, once per endpoint, after every
/// other convention ran. It runs before parameter binding (unlike an endpoint filter), so a 401
/// comes before a 400 for a bad body, and a <see cref="UserInfos"/> parameter binds the user.
/// Endpoints an <see cref="IFlaatEndpointAdapter"/> claims (gRPC methods) are left to that adapter, and
/// a gRPC method no adapter claims is left to the start-up check, which stops the application.
/// </summary>
internal static class FlaatEndpointGate
{
    public static void Install(EndpointBuilder endpoint)
    {
        if (endpoint.RequestDelegate is not { } next || endpoint.Metadata.Any(static item => item is Marker))
        {
            return;
        }

        var services = endpoint.ApplicationServices;
        // A gRPC method is never answered by the HTTP gate: it is its adapter's; without the adapter
        // (AddGrpc().AddFlaat() forgotten) the start-up check stops the application instead.
        if (services.GetServices<IFlaatEndpointAdapter>().Any(adapter => adapter.Claims(endpoint.Metadata))
            || FlaatStartupCheck.CarriesGrpcMethodMetadata(endpoint.Metadata))
        {
            return;
        }

        var gate = services.GetService<FlaatHttpGate>()
            ?? throw new InvalidOperationException($"Endpoint '{endpoint.DisplayName}' uses RequireFlaat, but Flaat is not registered: call services.AddFlaat(...).");
        endpoint.Metadata.Add(Marker.Instance);
        var noUserBindsAsNull = endpoint.Metadata.Any(static item => item is UserInfosFilterMarker);
        var hub = FlaatHubTicket.IsHubEndpoint(endpoint.Metadata);
        if (hub)
        {
            FlaatHubTicket.CloseOnExpiry(endpoint);
        }

        endpoint.RequestDelegate = context => InvokeAsync(context, gate, next, noUserBindsAsNull, hub);
    }

    /// <summary>Whether the gate is installed in front of the endpoint with this metadata.</summary>
    public static bool IsInstalled(IEnumerable<object> metadata) => metadata.Any(static item => item is Marker);

    /// <summary>
    /// For a handler with <see cref="UserInfos"/> (or user object) parameters: a filter that turns the
    /// container's "no user" placeholder into <see langword="null"/> (optional authentication). Minimal
    /// APIs resolve such parameters with <c>GetRequiredService</c> even when they are declared nullable,
    /// so the container cannot give null itself. Handlers without such parameters get no filter and pay
    /// nothing. Added by the conventions (filters must be in place before the handler's delegate is built).
    /// </summary>
    public static void AddUserInfosFilter(EndpointBuilder endpoint)
    {
        if (endpoint.Metadata.Any(static item => item is UserInfosFilterMarker)
            || endpoint.Metadata.OfType<MethodInfo>().FirstOrDefault() is not { } handler)
        {
            return;
        }

        var userObjects = endpoint.ApplicationServices.GetService<FlaatUserObjectRegistry>();
        var positions = handler.GetParameters()
            .Where(p => p.ParameterType == typeof(UserInfos) || userObjects?.Find(p.ParameterType) is not null)
            .Select(static p => p.Position)
            .ToArray();
        if (positions.Length == 0)
        {
            return;
        }

        endpoint.Metadata.Add(UserInfosFilterMarker.Instance);
        endpoint.FilterFactories.Add((_, next) => context =>
        {
            foreach (var position in positions)
            {
                if (ReferenceEquals(context.Arguments[position], FlaatRequestState.NoUser) || FlaatUserObjectStore.IsPlaceholder(context.Arguments[position]))
                {
                    context.Arguments[position] = null;
                }
            }

            return next(context);
        });
    }

    private static async Task InvokeAsync(HttpContext context, FlaatHttpGate gate, RequestDelegate next, bool noUserBindsAsNull, bool hub)
    {
        if (noUserBindsAsNull)
        {
            context.GetFlaatState().NoUserBindsAsNull = true;
        }

        if (context.GetEndpoint() is { } endpoint
            && gate.Resolver.GetPolicy(endpoint) is { IsProtected: true } policy
            && !await gate.TryPassAsync(context, policy))
        {
            return;
        }

        if (hub)
        {
            // The hub's connection closes when the token expires (CloseOnAuthenticationExpiration).
            FlaatHubTicket.Record(context);
        }

        await next(context);
    }

    private sealed class UserInfosFilterMarker
    {
        public static readonly UserInfosFilterMarker Instance = new();
    }

    /// <summary>Marks an endpoint whose gate is installed.</summary>
    private sealed class Marker
    {
        public static readonly Marker Instance = new();
    }
}
