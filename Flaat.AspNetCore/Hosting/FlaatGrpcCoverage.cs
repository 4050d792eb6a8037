using System.Collections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Flaat.AspNetCore;

/// <summary>
/// Finds gRPC methods with a Flaat policy that Flaat's gRPC interceptor would not see (it was not
/// added to the gRPC options): they would be open, so the application must not start. Read by
/// name, since Flaat.AspNetCore does not reference Grpc.AspNetCore.Server.
/// </summary>
internal static class FlaatGrpcCoverage
{
    private const string MethodMetadataType = "Grpc.AspNetCore.Server.GrpcMethodMetadata";
    private const string OptionsType = "Grpc.AspNetCore.Server.GrpcServiceOptions";
    private const string InterceptorType = "Flaat.Grpc.FlaatServerInterceptor";

    /// <summary>The error for a gRPC endpoint Flaat's interceptor does not guard; <see langword="null"/> for any other endpoint.</summary>
    public static string? FindUnguarded(IServiceProvider services, Endpoint endpoint)
    {
        var metadata = endpoint.Metadata.FirstOrDefault(static item => item.GetType().FullName == MethodMetadataType);
        if (metadata?.GetType().GetProperty("ServiceType")?.GetValue(metadata) is not Type serviceType
            || metadata.GetType().Assembly.GetType(OptionsType) is not { } globalOptions
            || metadata.GetType().Assembly.GetType(OptionsType + "`1") is not { } serviceOptions)
        {
            return null;
        }

        // gRPC runs the global interceptors, then the service's own.
        if (HasInterceptor(services, globalOptions) || HasInterceptor(services, serviceOptions.MakeGenericType(serviceType)))
        {
            return null;
        }

        return $"gRPC method '{endpoint.DisplayName}' has Flaat requirements, but Flaat's gRPC interceptor does not run for {serviceType.Name}, so they would not be enforced: "
            + "call services.AddGrpc().AddFlaat() (or AddGrpc(o => o.AddFlaat()), or AddServiceOptions<TService>(o => o.AddFlaat())).";
    }

    private static bool HasInterceptor(IServiceProvider services, Type optionsType)
    {
        var options = services.GetService(typeof(IOptions<>).MakeGenericType(optionsType));
        var value = options?.GetType().GetProperty(nameof(IOptions<object>.Value))?.GetValue(options);
        foreach (var registration in value?.GetType().GetProperty("Interceptors")?.GetValue(value) as IEnumerable ?? Array.Empty<object>())
        {
            if (registration?.GetType().GetProperty("Type")?.GetValue(registration) is Type { FullName: InterceptorType })
            {
                return true;
            }
        }

        return false;
    }
}
