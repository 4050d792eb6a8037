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
internal sealed class FlaatGrpcEndpointAdapter(IServiceProvider services) : IFlaatEndpointAdapter
{
    public bool Claims(IEnumerable<object> metadata) => metadata.OfType<GrpcMethodMetadata>().Any();

    public string? FindUnguarded(Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is not { } method)
        {
            return null;
        }

        // gRPC runs the global interceptors, then the service's own.
        var serviceOptions = typeof(IOptions<>).MakeGenericType(typeof(GrpcServiceOptions<>).MakeGenericType(method.ServiceType));
        if (HasInterceptor(services.GetService<IOptions<GrpcServiceOptions>>()?.Value)
            || HasInterceptor((services.GetService(serviceOptions) as IOptions<GrpcServiceOptions>)?.Value))
        {
            return null;
        }

        return $"gRPC method '{endpoint.DisplayName}' has Flaat requirements, but Flaat's gRPC interceptor does not run for {method.ServiceType.Name}, so they would not be enforced: "
            + "call services.AddGrpc().AddFlaat() (or AddGrpc().AddFlaat<TService>() for this service).";
    }

    private static bool HasInterceptor(GrpcServiceOptions? options) =>
        options?.Interceptors.Any(static registration => registration.Type == typeof(FlaatServerInterceptor)) == true;
}
