using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Flaat.AspNetCore;

/// <summary>
/// The MVC adapter: an authorization filter (so it runs before model binding, and a refused request
/// costs no binding) that judges actions by their Flaat attributes and conventions.
/// </summary>
internal sealed class FlaatMvcFilter(FlaatHttpGate gate) : IAsyncAuthorizationFilter
{
    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var http = context.HttpContext;
        var endpoint = http.GetEndpoint();
        var policy = endpoint is not null
            ? gate.Resolver.GetPolicy(endpoint)
            : gate.Resolver.Resolve([.. context.ActionDescriptor.EndpointMetadata], context.ActionDescriptor.DisplayName);
        if (!policy.IsProtected)
        {
            return;
        }

        if (!await gate.TryPassAsync(http, policy))
        {
            // The gate wrote the response; this result only stops the action.
            context.Result = new EmptyResult();
        }
    }
}
