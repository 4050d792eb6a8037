using Flaat.MinimalApi.OpenApi;
using Microsoft.AspNetCore.OpenApi;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Shows Flaat's protection in the OpenAPI document of <c>Microsoft.AspNetCore.OpenApi</c>.</summary>
public static class FlaatOpenApiOptionsExtensions
{
    /// <summary>
    /// <c>builder.Services.AddOpenApi(options => options.AddFlaatSecurity())</c>: the document gets a
    /// bearer security scheme (<see cref="FlaatOpenApi.SecuritySchemeName"/>), and every operation Flaat
    /// protects requires it (optional authentication: an empty alternative too) and lists Flaat's
    /// refusals: 401 (no or bad token), 403 (requirements not met, where the endpoint has any) and 503
    /// (an OP could not be reached). Endpoints Flaat does not protect are left as they are.
    /// </summary>
    /// <param name="options">The OpenAPI document's options.</param>
    /// <returns>The options.</returns>
    public static OpenApiOptions AddFlaatSecurity(this OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var transformer = new FlaatOpenApiTransformer();
        options.AddDocumentTransformer(transformer);
        options.AddOperationTransformer(transformer);
        return options;
    }
}
