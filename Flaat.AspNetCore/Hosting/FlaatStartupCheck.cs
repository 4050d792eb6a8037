using System.Reflection;
using Flaat.Evaluation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// Runs once the application's pipeline and endpoints are built: resolves every endpoint's Flaat
/// policy (so an unknown access level fails the start, naming it and the endpoint, and the
/// resolver's cache is warm), stops it when a protected endpoint is guarded by nothing Flaat knows
/// (so a forgotten adapter registration cannot leave an endpoint open), and warns when flaat's
/// environment overrides are active.
/// </summary>
internal sealed partial class FlaatStartupCheck(IServiceProvider services, ILogger<FlaatStartupCheck> logger) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        CheckEnvironmentOverrides();
        CheckDpopOrigin();
        CheckEndpoints();
    };

    private void CheckEndpoints()
    {
        if (services.GetService<EndpointDataSource>() is not { } endpoints)
        {
            return;
        }

        var resolver = services.GetRequiredService<FlaatEndpointPolicyResolver>();
        var adapters = services.GetServices<IFlaatEndpointAdapter>().ToArray();
        var accessLevels = services.GetRequiredService<FlaatAccessLevelRegistry>();
        var authorization = services.GetService<IOptions<AuthorizationOptions>>()?.Value;
        var errors = new List<string>();
        foreach (var endpoint in endpoints.Endpoints)
        {
            try
            {
                var policy = resolver.GetPolicy(endpoint);
                CheckUserInfosParameters(endpoint, policy, errors);
                if (policy.IsProtected && FindUnguarded(endpoint, adapters) is { } unguarded)
                {
                    errors.Add(unguarded);
                }

                if (FlaatHubTicket.FindUnenforcedMethodAttributes(endpoint, authorization) is { } hub && !errors.Contains(hub))
                {
                    errors.Add(hub);
                }

                foreach (var requirement in FlaatRequirementsOf(endpoint, authorization))
                {
                    _ = requirement.GetPolicy(accessLevels, endpoint.DisplayName);
                }
            }
            catch (Exception exception) when (exception is InvalidOperationException or ArgumentException or FormatException)
            {
                errors.Add(exception.Message);
            }
        }

        errors.AddRange(FlaatHubTicket.FindOpenEndedHubs(endpoints.Endpoints));
        foreach (var requirement in authorization?.FallbackPolicy?.Requirements.OfType<FlaatAuthorizationRequirement>() ?? [])
        {
            try
            {
                _ = requirement.GetPolicy(accessLevels, "(the fallback authorization policy)");
            }
            catch (InvalidOperationException exception)
            {
                errors.Add(exception.Message);
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Flaat: endpoints are misconfigured:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }
    }

    /// <summary>
    /// Why a protected endpoint's policy would not be enforced, or <see langword="null"/> when something
    /// Flaat knows guards it: the endpoint gate (installed by the conventions), the MVC filter or guard
    /// (an MVC action), or an <see cref="IFlaatEndpointAdapter"/> that claims it and guards it. Endpoints
    /// protected only by <see cref="FlaatEndpointOptions.RequireAuthenticationByDefault"/> are checked
    /// only where that setting applies (MVC actions, gRPC methods): other endpoints without Flaat
    /// metadata (health checks, static files) are left alone, as documented.
    /// </summary>
    private static string? FindUnguarded(Endpoint endpoint, IFlaatEndpointAdapter[] adapters)
    {
        if (FlaatEndpointGate.IsInstalled(endpoint.Metadata) || endpoint.Metadata.GetMetadata<ActionDescriptor>() is not null)
        {
            return null;
        }

        var claimed = false;
        foreach (var adapter in adapters)
        {
            if (adapter.Claims(endpoint.Metadata))
            {
                claimed = true;
                if (adapter.FindUnguarded(endpoint) is { } unguarded)
                {
                    return unguarded;
                }
            }
        }

        if (claimed)
        {
            return null;
        }

        if (CarriesGrpcMethodMetadata(endpoint.Metadata))
        {
            return $"gRPC method '{endpoint.DisplayName}' is protected by Flaat, but Flaat's gRPC adapter is not registered, so nothing would enforce it: "
                + "call services.AddGrpc().AddFlaat() (or AddGrpc().AddFlaat<TService>() for its service).";
        }

        return endpoint.Metadata.GetMetadata<IFlaatMetadata>() is null
            ? null
            : $"Endpoint '{endpoint.DisplayName}' has Flaat metadata, but nothing Flaat knows guards it, so it would not be enforced: "
                + "use .RequireFlaat(...) on the endpoint or its group (Flaat attributes on a handler alone are not enough).";
    }

    /// <summary>
    /// Whether an endpoint is a gRPC method, recognised by the type name of gRPC's method metadata.
    /// A fallback for one case only: Flaat.Grpc's adapter, which recognises gRPC methods by type, is
    /// registered by <c>AddGrpc().AddFlaat()</c>, so when that call is forgotten no registered adapter
    /// can tell that the endpoint is a gRPC method, and Flaat.AspNetCore does not reference gRPC.
    /// Without it a gRPC method protected by attributes or by
    /// <see cref="FlaatEndpointOptions.RequireAuthenticationByDefault"/> would be open (issue 12 review).
    /// The endpoint gate also uses it, to stay out of the way of such a method (the start fails instead).
    /// </summary>
    internal static bool CarriesGrpcMethodMetadata(IEnumerable<object> metadata) =>
        metadata.Any(static item => item.GetType().FullName == "Grpc.AspNetCore.Server.GrpcMethodMetadata");

    /// <summary>
    /// Under optional authentication a handler's <see cref="UserInfos"/> parameter is null without
    /// a user: it must be declared <c>UserInfos?</c>, or the handler would meet a null it was promised away.
    /// </summary>
    private static void CheckUserInfosParameters(Endpoint endpoint, FlaatEndpointPolicy policy, List<string> errors)
    {
        if (!policy.IsProtected || !policy.Policy.OptionalAuthentication || endpoint.Metadata.GetMetadata<MethodInfo>() is not { } handler)
        {
            return;
        }

        var nullability = new NullabilityInfoContext();
        foreach (var parameter in handler.GetParameters())
        {
            if (parameter.ParameterType == typeof(UserInfos) && nullability.Create(parameter).ReadState == NullabilityState.NotNull)
            {
                errors.Add($"Endpoint '{endpoint.DisplayName}' makes authentication optional, so its parameter '{parameter.Name}' receives null without a user: declare it as UserInfos?.");
            }
        }
    }

    /// <summary>The Flaat requirements of the authorization policies an endpoint uses (inline, named, default).</summary>
    private static IEnumerable<FlaatAuthorizationRequirement> FlaatRequirementsOf(Endpoint endpoint, AuthorizationOptions? authorization)
    {
        var policies = new List<AuthorizationPolicy>();
        var usesDefault = false;
        foreach (var item in endpoint.Metadata)
        {
            switch (item)
            {
                case AuthorizationPolicy policy:
                    policies.Add(policy);
                    break;
                case IAuthorizeData { Policy: { } name } when authorization?.GetPolicy(name) is { } named:
                    policies.Add(named);
                    break;
                case IAuthorizeData:
                    usesDefault = true;
                    break;
            }
        }

        if (usesDefault && authorization is not null)
        {
            policies.Add(authorization.DefaultPolicy);
        }

        return policies.SelectMany(static policy => policy.Requirements.OfType<FlaatAuthorizationRequirement>());
    }

    private void CheckEnvironmentOverrides()
    {
        var evaluatorOptions = services.GetRequiredService<IOptions<FlaatEvaluatorOptions>>().Value;
        var read = evaluatorOptions.EnvironmentReader ?? Environment.GetEnvironmentVariable;
        var honoured = evaluatorOptions.HonourEnvironmentOverrides;
        foreach (var variable in (ReadOnlySpan<string>)[FlaatEvaluator.DisableAuthenticationVariable, FlaatEvaluator.DisableAuthorizationVariable])
        {
            if (!string.Equals(read(variable), "YES", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (honoured)
            {
                LogOverrideActive(logger, variable);
            }
            else
            {
                LogOverrideIgnored(logger, variable);
            }
        }
    }

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Flaat: {Variable}=YES is active; requests are let through without the checks it disables. Never use this in production.")]
    private static partial void LogOverrideActive(ILogger logger, string variable);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Flaat: {Variable}=YES is set but ignored: overrides are honoured only in the Development environment or with Flaat:AllowEnvironmentOverrides.")]
    private static partial void LogOverrideIgnored(ILogger logger, string variable);
}
