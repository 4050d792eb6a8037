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
    /// <see cref="FlaatEndpointOptions.RequireAuthenticationByDefault"/> is on.
    /// </summary>
    /// <param name="builder">The gRPC server builder.</param>
    /// <returns>The builder.</returns>
    public static IGrpcServerBuilder AddFlaat(this IGrpcServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton(CreateInterceptor);
        builder.Services.Configure<GrpcServiceOptions>(options => options.AddFlaat());
        return builder;
    }

    /// <summary>
    /// Adds Flaat's interceptor to the gRPC options, globally (<c>services.AddGrpc(o =&gt; o.AddFlaat())</c>)
    /// or for one service (<c>AddServiceOptions&lt;TService&gt;(o =&gt; o.AddFlaat())</c>). Added once,
    /// however often it is called.
    /// </summary>
    /// <param name="options">The gRPC options.</param>
    /// <returns>The options.</returns>
    public static GrpcServiceOptions AddFlaat(this GrpcServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Interceptors.Any(static registration => registration.Type == typeof(FlaatServerInterceptor)))
        {
            options.Interceptors.Add<FlaatServerInterceptor>();
        }

        return options;
    }

    private static FlaatServerInterceptor CreateInterceptor(IServiceProvider services) =>
        services.GetService<FlaatEndpointPolicyResolver>() is null
            ? throw new InvalidOperationException("Flaat's gRPC interceptor needs Flaat: call services.AddFlaat(...) as well as AddGrpc().AddFlaat().")
            : ActivatorUtilities.CreateInstance<FlaatServerInterceptor>(services);
}
