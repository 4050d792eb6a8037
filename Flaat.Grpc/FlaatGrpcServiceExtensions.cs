using Flaat.AspNetCore;
using Flaat.Grpc;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers Flaat's gRPC interceptor. Flaat itself (settings, access levels, the evaluator) is
/// registered by <c>services.AddFlaat(...)</c>, shared with the HTTP adapters.
/// </summary>
public static class FlaatGrpcServiceExtensions
{
    /// <summary>
    /// Protects every gRPC service: <c>services.AddGrpc().AddFlaat()</c>. Methods are judged by
    /// their Flaat metadata (attributes on the service class and method, <c>.RequireFlaat(...)</c>
    /// on <c>MapGrpcService</c>); methods without any are left alone unless
    /// <see cref="FlaatEndpointOptions.RequireAuthenticationByDefault"/> is on. Added once, however
    /// often it is called.
    /// </summary>
    /// <param name="builder">The gRPC server builder.</param>
    /// <returns>The builder.</returns>
    public static IGrpcServerBuilder AddFlaat(this IGrpcServerBuilder builder)
    {
        Register(builder);
        builder.Services.Configure<GrpcServiceOptions>(AddInterceptor);
        return builder;
    }

    /// <summary>
    /// Protects one gRPC service only: <c>services.AddGrpc().AddFlaat&lt;Greeter&gt;()</c>. A method
    /// of another service with Flaat metadata stops the application's start (it would be open).
    /// </summary>
    /// <typeparam name="TService">The service.</typeparam>
    /// <param name="builder">The gRPC server builder.</param>
    /// <returns>The builder.</returns>
    public static IGrpcServerBuilder AddFlaat<TService>(this IGrpcServerBuilder builder)
        where TService : class
    {
        Register(builder);
        builder.Services.Configure<GrpcServiceOptions<TService>>(AddInterceptor);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IFlaatGrpcServiceInterceptorCheck, FlaatGrpcServiceInterceptorCheck<TService>>());
        return builder;
    }

    // Flaat.Grpc registers what it owns: the interceptor, and its claim on gRPC endpoints.
    private static void Register(IGrpcServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(CreateInterceptor);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IFlaatEndpointAdapter, FlaatGrpcEndpointAdapter>());
    }

    private static void AddInterceptor(GrpcServiceOptions options)
    {
        if (!options.Interceptors.Any(static registration => registration.Type == typeof(FlaatServerInterceptor)))
        {
            options.Interceptors.Add<FlaatServerInterceptor>();
        }
    }

    private static FlaatServerInterceptor CreateInterceptor(IServiceProvider services) =>
        services.GetService<FlaatEndpointPolicyResolver>() is null
            ? throw new InvalidOperationException("Flaat's gRPC interceptor needs Flaat: call services.AddFlaat(...) as well as AddGrpc().AddFlaat().")
            : ActivatorUtilities.CreateInstance<FlaatServerInterceptor>(services);
}
