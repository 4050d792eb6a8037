using Flaat;
using Flaat.AspNetCore;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Http;

/// <summary>Flaat's additions to <see cref="HttpContext"/>.</summary>
public static class FlaatHttpContextExtensions
{
    /// <summary>
    /// The user Flaat authenticated for this request, or <see langword="null"/> when there is
    /// none (no Flaat policy or scheme ran, or authentication was optional and no acceptable
    /// token was sent).
    /// </summary>
    /// <param name="context">The request.</param>
    public static UserInfos? GetUserInfos(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<FlaatFeature>()?.UserInfos;
    }

    /// <summary>
    /// Records an adapter's judgement of the request: the <see cref="FlaatFeature"/> that
    /// <see cref="GetUserInfos"/>, <see cref="UserInfos"/> parameters and user objects read. For
    /// Flaat's adapters (the gRPC interceptor is one); an application has no need to call it.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="feature">The judgement.</param>
    public static void SetFlaatFeature(this HttpContext context, FlaatFeature feature)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(feature);
        context.Features.Set(feature);
        context.GetFlaatState().Feature = feature;
    }

    /// <summary>The request's Flaat state, created on first use.</summary>
    internal static FlaatRequestState GetFlaatState(this HttpContext context)
    {
        var state = context.Features.Get<FlaatRequestState>();
        if (state is null)
        {
            // One object per request, shared by the feature collection and the DI scope so that a
            // UserInfos parameter binds from it without IHttpContextAccessor.
            state = context.RequestServices?.GetService<FlaatRequestState>() ?? new FlaatRequestState();
            context.Features.Set(state);
        }

        return state;
    }
}
