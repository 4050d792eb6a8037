using Flaat;
using Microsoft.AspNetCore.Http;

namespace Grpc.Core;

/// <summary>Flaat's additions to <see cref="ServerCallContext"/>, for use inside gRPC service methods.</summary>
public static class FlaatServerCallContextExtensions
{
    /// <summary>
    /// The user Flaat authenticated for this call, or <see langword="null"/> when there is none (the
    /// method has no Flaat policy, or authentication is optional and no acceptable token was sent).
    /// </summary>
    /// <param name="context">The call.</param>
    public static UserInfos? GetUserInfos(this ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetHttpContext().GetUserInfos();
    }
}
