using Flaat;
using Flaat.Requirements;
using Grpc.Core;

namespace Flaat.AspNetCore;

/// <summary>gRPC additions to <see cref="FlaatPolicyBuilder"/>.</summary>
public static class FlaatGrpcPolicyBuilderExtensions
{
    /// <summary>
    /// Adds a check on the gRPC call for a known user (flaat's request requirements): Flaat's
    /// interceptor passes the <see cref="ServerCallContext"/> (method, metadata, peer) as the request.
    /// </summary>
    /// <param name="builder">The policy builder.</param>
    /// <param name="requirement">The check, given the user and the call.</param>
    /// <returns>The builder.</returns>
    public static FlaatPolicyBuilder RequireGrpcCall(this FlaatPolicyBuilder builder, Func<UserInfos, ServerCallContext, CheckResult> requirement)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(requirement);
        return builder.RequireRequest((user, request) => request is ServerCallContext call
            ? requirement(user, call)
            : new CheckResult(false, "The request is not a gRPC call"));
    }
}
