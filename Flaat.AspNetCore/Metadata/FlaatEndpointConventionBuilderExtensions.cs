using Flaat.AspNetCore;
using Flaat.Requirements;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Flaat conventions for any endpoint builder: a single endpoint (<c>MapGet</c>, ...), a
/// <c>MapGroup</c>, <c>MapControllers()</c> or <c>MapGrpcService</c>. Each adds metadata. On an
/// HTTP endpoint one gate evaluates all of it before the handler's parameters are bound, so a
/// refused request costs no binding and a <see cref="Flaat.UserInfos"/> parameter receives the
/// user; a gRPC method is judged by Flaat.Grpc's interceptor instead.
/// </summary>
public static class FlaatEndpointConventionBuilderExtensions
{
    /// <summary>Requires an authenticated user (flaat's <c>is_authenticated</c>).</summary>
    /// <typeparam name="TBuilder">The endpoint builder's type.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireFlaat<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddFlaat(new FlaatMetadata(static policy => policy.RequireAuthenticatedUser()));

    /// <summary>Requires an authenticated user who satisfies every given requirement (flaat's <c>requires</c>).</summary>
    /// <typeparam name="TBuilder">The endpoint builder's type.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="requirements">The requirements.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireFlaat<TBuilder>(this TBuilder builder, params Requirement[] requirements)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(requirements);
        var copy = requirements.ToArray();
        return builder.AddFlaat(new FlaatMetadata(policy => policy.Require(copy)));
    }

    /// <summary>
    /// Describes the full workflow: user requirements, access levels, request requirements that
    /// see the <see cref="HttpContext"/>, optional authentication and the on-failure hook.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint builder's type.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="configure">Describes the policy; called once per endpoint at start-up.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireFlaat<TBuilder>(this TBuilder builder, Action<FlaatPolicyBuilder> configure)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(configure);
        return builder.AddFlaat(new FlaatMetadata(policy =>
        {
            policy.RequireAuthenticatedUser();
            configure(policy);
        }));
    }

    /// <summary>Requires a named access level (flaat's <c>access_level</c>); an unknown name fails at start-up.</summary>
    /// <typeparam name="TBuilder">The endpoint builder's type.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="name">The level's name.</param>
    /// <returns>The builder.</returns>
    public static TBuilder RequireFlaatAccessLevel<TBuilder>(this TBuilder builder, string name)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return builder.AddFlaat(new FlaatMetadata(policy => policy.RequireAccessLevel(name)));
    }

    /// <summary>
    /// Authenticates a token when one is sent, but lets requests without an acceptable token through
    /// with no user (flaat's <c>ignore_no_authn</c>); handlers take <c>UserInfos?</c>.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint builder's type.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <returns>The builder.</returns>
    public static TBuilder OptionalFlaat<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddFlaat(new FlaatMetadata(static policy => policy.AllowAnonymous()));

    /// <summary>Sets the on-failure hook (flaat's <c>on_failure</c>) of the endpoint or group.</summary>
    /// <typeparam name="TBuilder">The endpoint builder's type.</typeparam>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="handler">The hook.</param>
    /// <returns>The builder.</returns>
    public static TBuilder OnFlaatFailure<TBuilder>(this TBuilder builder, FlaatFailureHandler handler)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(handler);
        builder.Add(endpoint => endpoint.Metadata.Add(new FlaatMetadata(policy => policy.OnFailure(handler))));
        return builder;
    }

    private static TBuilder AddFlaat<TBuilder>(this TBuilder builder, FlaatMetadata metadata)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint =>
        {
            endpoint.Metadata.Add(metadata);
            FlaatEndpointGate.AddUserInfosFilter(endpoint);
        });
        builder.Finally(FlaatEndpointGate.Install);
        return builder;
    }
}
