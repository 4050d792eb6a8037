using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.AspNetCore;

internal static class FlaatFailureHandlers
{
    /// <summary>A hook that creates the <see cref="IFlaatFailureHandler"/> from the request's services.</summary>
    public static FlaatFailureHandler FromType([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] Type handlerType)
    {
        ArgumentNullException.ThrowIfNull(handlerType);
        if (!typeof(IFlaatFailureHandler).IsAssignableFrom(handlerType) || handlerType.IsAbstract)
        {
            throw new ArgumentException($"The on-failure handler type '{handlerType}' must be a class implementing {nameof(IFlaatFailureHandler)}.", nameof(handlerType));
        }

        var factory = ActivatorUtilities.CreateFactory(handlerType, Type.EmptyTypes);
        return context =>
        {
            var handler = (IFlaatFailureHandler)factory(context.HttpContext.RequestServices, null);
            return handler.OnFailureAsync(context);
        };
    }
}
