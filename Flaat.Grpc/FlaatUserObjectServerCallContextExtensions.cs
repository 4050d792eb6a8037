using Microsoft.AspNetCore.Http;

namespace Grpc.Core;

/// <summary>flaat's <c>inject_object</c> inside gRPC service methods.</summary>
public static class FlaatUserObjectServerCallContextExtensions
{
    /// <summary>
    /// The call's <typeparamref name="T"/>, made from the authenticated user by the function registered
    /// with <c>AddFlaat(...).AddUserObject&lt;T&gt;(...)</c>, once per call; <see langword="null"/> when
    /// there is no user or the function made none.
    /// </summary>
    /// <typeparam name="T">The application type.</typeparam>
    /// <param name="context">The call.</param>
    /// <returns>The object, or <see langword="null"/>.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not registered.</exception>
    public static ValueTask<T?> GetUserObjectAsync<T>(this ServerCallContext context)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetHttpContext().GetUserObjectAsync<T>();
    }
}
