using System.Text.Json;

namespace Flaat.Issuers;

/// <summary>The parts of an OP's discovery document Flaat uses.</summary>
internal sealed class IssuerConfiguration
{
    private IssuerConfiguration(string issuer, Uri? userInfoEndpoint, Uri? introspectionEndpoint, Uri? jwksUri)
    {
        Issuer = issuer;
        IssuerElement = JsonSerializer.SerializeToElement(issuer);
        UserInfoEndpoint = userInfoEndpoint;
        IntrospectionEndpoint = introspectionEndpoint;
        JwksUri = jwksUri;
    }

    /// <summary>The <c>issuer</c> the document names.</summary>
    public string Issuer { get; }

    /// <summary><see cref="Issuer"/> as a JSON string, added to userinfo answers that lack <c>iss</c>.</summary>
    public JsonElement IssuerElement { get; }

    public Uri? UserInfoEndpoint { get; }

    public Uri? IntrospectionEndpoint { get; }

    public Uri? JwksUri { get; }

    /// <summary>Reads a discovery document; <see langword="null"/> when it names no issuer.</summary>
    public static IssuerConfiguration? TryRead(JsonElement document)
    {
        var issuer = ReadString(document, "issuer");
        return issuer is null
            ? null
            : new IssuerConfiguration(
                issuer,
                ReadUri(document, "userinfo_endpoint"),
                ReadUri(document, "introspection_endpoint"),
                ReadUri(document, "jwks_uri"));
    }

    private static string? ReadString(JsonElement document, string name) =>
        document.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;

    private static Uri? ReadUri(JsonElement document, string name) =>
        ReadString(document, name) is { } text && Uri.TryCreate(text, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : null;
}
