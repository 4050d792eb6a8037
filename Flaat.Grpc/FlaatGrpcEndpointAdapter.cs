using Flaat.AspNetCore;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flaat.Grpc;

/// <summary>
/// Flaat.Grpc's claim on gRPC methods: they are judged by <see cref="FlaatServerInterceptor"/>
/// (gRPC statuses), never by the HTTP gate, and a method with Flaat requirements whose service
/// does not run the interceptor stops the application's start (its requirements would not be enforced).
/// </summary>
internal sealed class FlaatGrpcEndpointAdapter(IServiceProvider services, IEnumerable<IFlaatGrpcServiceInterceptorCheck> serviceChecks) : IFlaatEndpointAdapter
{
    public bool Claims(IEnumerable<object> metadata) => metadata.OfType<GrpcMethodMetadata>().Any();

    public string? FindUnguarded(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not { } method)
        {
            return null;
        }

        // gRPC runs the global interceptors, then the service's own (AddFlaat<TService>() registered
        // a check for that service: no reflection over gRPC types, so this works trimmed and under AOT).
        if (HasInterceptor(services.GetService<IOptions<GrpcServiceOptions>>()?.Value)
            || serviceChecks.Any(check => check.ServiceType == method.ServiceType && check.HasInterceptor))
        {
            return null;
        }

        return $"gRPC method '{endpoint.DisplayName}' has Flaat requirements, but Flaat's gRPC interceptor does not run for {method.ServiceType.Name}, so they would not be enforced: "
            + "call services.AddGrpc().AddFlaat() (or AddGrpc().AddFlaat<TService>() for this service).";
    }

    internal static bool HasInterceptor(GrpcServiceOptions? options) =>
        options?.Interceptors.Any(static registration => registration.Type == typeof(FlaatServerInterceptor)) == true;
}

/// <summary>Whether Flaat's interceptor runs for one service (registered by <c>AddGrpc().AddFlaat&lt;TService&gt;()</c>).</summary>
internal interface IFlaatGrpcServiceInterceptorCheck
{
    Type ServiceType { get; }

    bool HasInterceptor { get; }
}

/// <summary>Reads the service's own gRPC options, whose type is known where the service was named.</summary>
internal sealed class FlaatGrpcServiceInterceptorCheck<TService>(IOptions<GrpcServiceOptions<TService>> options) : IFlaatGrpcServiceInterceptorCheck
    where TService : class
{
    public Type ServiceType => typeof(TService);

    public bool HasInterceptor => FlaatGrpcEndpointAdapter.HasInterceptor(options.Value);
}
