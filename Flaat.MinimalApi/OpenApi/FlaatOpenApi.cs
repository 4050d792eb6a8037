namespace Flaat.MinimalApi.OpenApi;

/// <summary>Names Flaat uses in OpenAPI documents.</summary>
public static class FlaatOpenApi
{
    /// <summary>The name of the bearer security scheme in the document's components: <c>Bearer</c>.</summary>
    public const string SecuritySchemeName = "Bearer";
}
