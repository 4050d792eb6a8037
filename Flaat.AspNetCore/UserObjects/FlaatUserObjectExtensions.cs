using Flaat;
using Flaat.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.AspNetCore.Http;

/// <summary>
/// flaat's <c>inject_object</c>: handlers, actions and gRPC methods receive an application type
/// (e.g. the application's own user record) made from the request's <see cref="UserInfos"/>.
/// </summary>
public static class FlaatUserObjectExtensions
{
    /// <summary>
    /// Makes <typeparamref name="T"/> from the authenticated user, once per request, with the
    /// request's services (e.g. a database context) — flaat's <c>inject_object</c> with
    /// <c>strict=True</c>. A minimal-API handler or an MVC action (an <c>[ApiController]</c> parameter,
    /// or one marked <c>[FromServices]</c>) that takes a <typeparamref name="T"/> gets it; it is made
    /// after Flaat allowed the request and before the handler runs. Such an endpoint refuses a request
    /// without a user (401) or for whom <paramref name="factory"/> returns <see langword="null"/> (403),
    /// before the handler runs. Elsewhere (gRPC methods, middleware) use <see cref="GetUserObjectAsync{T}(HttpContext)"/>.
    /// </summary>
    /// <typeparam name="T">The application type.</typeparam>
    /// <param name="builder">Flaat's builder.</param>
    /// <param name="factory">Makes the object; <see langword="null"/> when the user has none.</param>
    /// <returns>The builder.</returns>
    public static FlaatBuilder AddUserObject<T>(this FlaatBuilder builder, Func<UserInfos, IServiceProvider, CancellationToken, ValueTask<T?>> factory)
        where T : class => Register(builder, factory, strict: true);

    /// <summary>Makes <typeparamref name="T"/> from the authenticated user with a synchronous function; see the asynchronous overload.</summary>
    /// <typeparam name="T">The application type.</typeparam>
    /// <param name="builder">Flaat's builder.</param>
    /// <param name="factory">Makes the object; <see langword="null"/> when the user has none.</param>
    /// <returns>The builder.</returns>
    public static FlaatBuilder AddUserObject<T>(this FlaatBuilder builder, Func<UserInfos, T?> factory)
        where T : class => Register(builder, Synchronous(factory), strict: true);

    /// <summary>
    /// Like <see cref="AddUserObject{T}(FlaatBuilder, Func{UserInfos, IServiceProvider, CancellationToken, ValueTask{T}})"/>,
    /// but optional — flaat's <c>strict=False</c>: without a user, or when <paramref name="factory"/>
    /// returns <see langword="null"/>, the handler gets <see langword="null"/>; declare the parameter
    /// nullable (<c>T?</c>).
    /// </summary>
    /// <typeparam name="T">The application type.</typeparam>
    /// <param name="builder">Flaat's builder.</param>
    /// <param name="factory">Makes the object; <see langword="null"/> when the user has none.</param>
    /// <returns>The builder.</returns>
    public static FlaatBuilder AddOptionalUserObject<T>(this FlaatBuilder builder, Func<UserInfos, IServiceProvider, CancellationToken, ValueTask<T?>> factory)
        where T : class => Register(builder, factory, strict: false);

    /// <summary>Optional user object made with a synchronous function; see the asynchronous overload.</summary>
    /// <typeparam name="T">The application type.</typeparam>
    /// <param name="builder">Flaat's builder.</param>
    /// <param name="factory">Makes the object; <see langword="null"/> when the user has none.</param>
    /// <returns>The builder.</returns>
    public static FlaatBuilder AddOptionalUserObject<T>(this FlaatBuilder builder, Func<UserInfos, T?> factory)
        where T : class => Register(builder, Synchronous(factory), strict: false);

    /// <summary>
    /// The request's <typeparamref name="T"/> (registered with <c>AddUserObject</c>), made once per
    /// request; <see langword="null"/> when there is no authenticated user or the factory made none.
    /// </summary>
    /// <typeparam name="T">The application type.</typeparam>
    /// <param name="context">The request (for gRPC: <c>ServerCallContext.GetHttpContext()</c>).</param>
    /// <returns>The object, or <see langword="null"/>.</returns>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not registered.</exception>
    public static async ValueTask<T?> GetUserObjectAsync<T>(this HttpContext context)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        var store = context.RequestServices.GetService<FlaatUserObjectStore>()
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not a Flaat user object: register it with services.AddFlaat(...).AddUserObject<{typeof(T).Name}>(...).");
        return (T?)await store.GetAsync(typeof(T), context.RequestServices, context.RequestAborted);
    }

    private static Func<UserInfos, IServiceProvider, CancellationToken, ValueTask<T?>> Synchronous<T>(Func<UserInfos, T?> factory)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        return (user, _, _) => ValueTask.FromResult(factory(user));
    }

    private static FlaatBuilder Register<T>(FlaatBuilder builder, Func<UserInfos, IServiceProvider, CancellationToken, ValueTask<T?>> factory, bool strict)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        var services = builder.Services;
        services.AddSingleton(new FlaatUserObjectRegistration(
            typeof(T),
            async (user, provider, cancellationToken) => await factory(user, provider, cancellationToken).ConfigureAwait(false),
            strict));
        services.TryAddSingleton<FlaatUserObjectRegistry>();
        services.TryAddScoped<FlaatUserObjectStore>();
        services.RemoveAll<T>();
        services.AddScoped(typeof(T), static provider => provider.GetRequiredService<FlaatUserObjectStore>().GetForInjection(typeof(T), provider)!);
        return builder;
    }
}
