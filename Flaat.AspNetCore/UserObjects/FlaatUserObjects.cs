using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.AspNetCore;

/// <summary>How one application type is made from <see cref="UserInfos"/> (flaat's <c>inject_object</c>).</summary>
internal sealed class FlaatUserObjectRegistration(Type type, Func<UserInfos, IServiceProvider, CancellationToken, ValueTask<object?>> factory, bool strict)
{
    public Type Type { get; } = type;

    public Func<UserInfos, IServiceProvider, CancellationToken, ValueTask<object?>> Factory { get; } = factory;

    /// <summary>Whether the endpoint refuses the request when there is no object (no user 401, no object 403).</summary>
    public bool Strict { get; } = strict;
}

/// <summary>The registered user-object types, and which of them each endpoint's handler or action takes.</summary>
internal sealed class FlaatUserObjectRegistry
{
    private readonly Dictionary<Type, FlaatUserObjectRegistration> _byType;
    private readonly ConcurrentDictionary<Endpoint, FlaatUserObjectRegistration[]> _byEndpoint = new();

    public FlaatUserObjectRegistry(IEnumerable<FlaatUserObjectRegistration> registrations)
    {
        _byType = [];
        foreach (var registration in registrations)
        {
            // The last registration of a type wins, like options.
            _byType[registration.Type] = registration;
        }
    }

    public FlaatUserObjectRegistration? Find(Type type) => _byType.GetValueOrDefault(type);

    /// <summary>The user objects the endpoint's handler (minimal API) or action (MVC) takes as parameters.</summary>
    public FlaatUserObjectRegistration[] For(Endpoint endpoint) =>
        _byEndpoint.GetOrAdd(endpoint, static (endpoint, registry) =>
        {
            var method = endpoint.Metadata.GetMetadata<MethodInfo>()
                ?? endpoint.Metadata.GetMetadata<ControllerActionDescriptor>()?.MethodInfo;
            if (method is null)
            {
                return [];
            }

            return [.. method.GetParameters()
                .Select(parameter => registry.Find(parameter.ParameterType))
                .OfType<FlaatUserObjectRegistration>()
                .Distinct()];
        }, this);
}

/// <summary>The user objects of one request, each made at most once (a scoped service).</summary>
internal sealed class FlaatUserObjectStore(FlaatUserObjectRegistry registry, FlaatRequestState state)
{
    // Minimal APIs resolve service parameters with GetRequiredService: "no object" is handed over as
    // a placeholder per type, which Flaat's minimal-API filter turns back into null (as for UserInfos).
    private static readonly ConcurrentDictionary<Type, object?> Placeholders = new();

    private readonly Dictionary<Type, object?> _made = [];

    /// <summary>Whether <paramref name="value"/> is the "no object" placeholder of its type.</summary>
    public static bool IsPlaceholder(object? value) =>
        value is not null && Placeholders.TryGetValue(value.GetType(), out var placeholder) && ReferenceEquals(placeholder, value);

    /// <summary>
    /// Makes the objects the endpoint takes, after the gate allowed the request: the error to send
    /// when a strict object cannot be made, otherwise <see langword="null"/>.
    /// </summary>
    public static async ValueTask<FlaatError?> PrepareAsync(HttpContext context, UserInfos? user)
    {
        if (context.RequestServices.GetService<FlaatUserObjectRegistry>() is not { } registry
            || context.GetEndpoint() is not { } endpoint
            || registry.For(endpoint) is not { Length: > 0 } needed)
        {
            return null;
        }

        var store = context.RequestServices.GetRequiredService<FlaatUserObjectStore>();
        foreach (var registration in needed)
        {
            var made = await store.GetAsync(registration, user, context.RequestServices, context.RequestAborted);
            if (made is null && registration.Strict)
            {
                return user is null
                    ? FlaatError.Unauthenticated("User identity could not be determined")
                    : FlaatError.Forbidden($"User {user} has no {registration.Type.Name} in this application");
            }
        }

        return null;
    }

    /// <summary>The object of a type for this request (made now if needed).</summary>
    public async ValueTask<object?> GetAsync(Type type, IServiceProvider services, CancellationToken cancellationToken)
    {
        var registration = registry.Find(type) ?? throw NotRegistered(type);
        return await GetAsync(registration, state.Feature?.UserInfos, services, cancellationToken);
    }

    /// <summary>The object for a handler or action parameter (the DI factory of the type).</summary>
    public object? GetForInjection(Type type, IServiceProvider services)
    {
        if (_made.TryGetValue(type, out var made))
        {
            return made ?? NoObject(type);
        }

        if (state.Feature is not { } feature)
        {
            throw new InvalidOperationException(
                $"{type.Name} is available only in requests to endpoints protected by Flaat (a Flaat attribute, RequireFlaat(...), or the Flaat authentication scheme).");
        }

        var registration = registry.Find(type) ?? throw NotRegistered(type);
        var pending = GetAsync(registration, feature.UserInfos, services, CancellationToken.None);
        return pending.IsCompletedSuccessfully
            ? pending.Result ?? NoObject(type)
            : throw new InvalidOperationException(
                $"{type.Name} is made asynchronously; Flaat makes it before the handler runs only when it is a parameter of the endpoint's handler or action. Elsewhere use 'await HttpContext.GetUserObjectAsync<{type.Name}>()'.");
    }

    private object? NoObject(Type type) => state.NoUserBindsAsNull ? Placeholder(type) : null;

    // The type is a registered user object's (AddUserObject<T>), so the application uses it and it exists
    // under trimming; an uninitialised instance needs no constructor.
    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "A registered user object type; no constructor is run.")]
    private static object? Placeholder(Type type) =>
        Placeholders.GetOrAdd(type, static type =>
        {
            try
            {
                return RuntimeHelpers.GetUninitializedObject(type);
            }
            catch (Exception e) when (e is ArgumentException or MemberAccessException or NotSupportedException)
            {
                // An abstract type or an interface has no placeholder; a nullable parameter then gets an error.
                return null;
            }
        });

    private async ValueTask<object?> GetAsync(FlaatUserObjectRegistration registration, UserInfos? user, IServiceProvider services, CancellationToken cancellationToken)
    {
        if (_made.TryGetValue(registration.Type, out var made))
        {
            return made;
        }

        made = user is null ? null : await registration.Factory(user, services, cancellationToken);
        if (made is not null && !registration.Type.IsInstanceOfType(made))
        {
            throw new InvalidOperationException($"The factory of {registration.Type.Name} returned a {made.GetType().Name}.");
        }

        _made[registration.Type] = made;
        return made;
    }

    private static InvalidOperationException NotRegistered(Type type) =>
        new($"{type.Name} is not a Flaat user object: register it with services.AddFlaat(...).AddUserObject<{type.Name}>(...).");
}
