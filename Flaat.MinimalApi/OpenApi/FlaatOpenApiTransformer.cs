using Flaat.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Flaat.MinimalApi.OpenApi;

/// <summary>
/// Adds the bearer scheme to the document and, per operation, what Flaat's policy for its endpoint
/// means for a client: the scheme (optional or not) and the 401/403/503 answers with Flaat's body.
/// The policy is the one the gate enforces (<see cref="FlaatEndpointPolicyResolver"/>), so the document
/// cannot claim a protection the endpoint does not have.
/// </summary>
internal sealed class FlaatOpenApiTransformer : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[FlaatOpenApi.SecuritySchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An OIDC access token (JWT or opaque) of a trusted OpenID provider.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.ApplicationServices.GetService<FlaatEndpointPolicyResolver>() is not { } resolver)
        {
            return Task.CompletedTask;
        }

        // The gate's policy for this endpoint: its metadata, group conventions included, as the resolver reads it.
        var descriptor = context.Description.ActionDescriptor;
        var endpoint = new Endpoint(null, new EndpointMetadataCollection(descriptor.EndpointMetadata), descriptor.DisplayName);
        var policy = resolver.GetPolicy(endpoint);
        if (!policy.IsProtected)
        {
            return Task.CompletedTask;
        }

        var scheme = new OpenApiSecuritySchemeReference(FlaatOpenApi.SecuritySchemeName, context.Document);
        operation.Security ??= [];
        if (policy.Policy.OptionalAuthentication)
        {
            operation.Security.Add(new OpenApiSecurityRequirement());
        }

        operation.Security.Add(new OpenApiSecurityRequirement { [scheme] = [] });
        operation.Responses ??= [];
        Add(operation.Responses, "401", "Unauthenticated: no token, or a token that is not valid here (WWW-Authenticate tells which).");
        if (policy.Policy.UserRequirement is not null || policy.Policy.RequestRequirements.Count > 0)
        {
            Add(operation.Responses, "403", "Forbidden: the user does not meet the endpoint's requirements (error_details says which).");
        }

        Add(operation.Responses, "503", "Unavailable: an OpenID provider could not be reached; try again after Retry-After.");
        return Task.CompletedTask;
    }

    private static void Add(OpenApiResponses responses, string status, string description)
    {
        // An endpoint's own description of the status wins.
        responses.TryAdd(status, new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = ErrorSchema() },
            },
        });
    }

    // Flaat's error body: {"error", "error_description", "error_details"}.
    private static OpenApiSchema ErrorSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["error"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["error_description"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["error_details"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
        },
        Required = new HashSet<string> { "error", "error_description" },
    };
}
