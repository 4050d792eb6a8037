using System.Text.Json;

namespace Flaat.Issuers;

/// <summary>The parts of an OP's discovery document Flaat uses.</summary>
internal sealed class IssuerConfiguration
{
    private IssuerConfiguration(string issuer, Uri? userInfoEndpoint, Uri? introspectionEndpoint, Uri? jwksUri)
    {
        Issuer = issuer;
        UserInfoEndpoint = userInfoEndpoint;
        IntrospectionEndpoint = introspectionEndpoint;
        JwksUri = jwksUri;
    }

    /// <summary>The <c>issuer</c> the document names.</summary>
    public string Issuer { get; }

    public Uri? UserInfoEndpoint { get; }

    public Uri? IntrospectionEndpoint { get; }

    public Uri? JwksUri { get; }

    /// <summary>
    /// Reads a discovery document; <see langword="null"/> with the <paramref name="problem"/> when it
    /// names no issuer or an endpoint Flaat must not use: a token is never sent over plain http to a
    /// host other than loopback unless <paramref name="allowInsecureHttp"/>.
    /// </summary>
    public static IssuerConfiguration? TryRead(JsonElement document, bool allowInsecureHttp, out string? problem)
    {
        problem = null;
        if (document.ValueKind != JsonValueKind.Object)
        {
            problem = "is not a JSON object";
            return null;
        }

        if (!TryReadString(document, "issuer", out var issuer) || issuer is null)
        {
            problem = "names no issuer";
            return null;
        }

        if (!TryReadEndpoint(document, "userinfo_endpoint", allowInsecureHttp, out var userInfo, ref problem)
            || !TryReadEndpoint(document, "introspection_endpoint", allowInsecureHttp, out var introspection, ref problem)
            || !TryReadEndpoint(document, "jwks_uri", allowInsecureHttp, out var jwks, ref problem))
        {
            return null;
        }

        return new IssuerConfiguration(issuer, userInfo, introspection, jwks);
    }

    /// <summary>Reads an optional endpoint; <see langword="false"/> (with the problem) when it is present but unusable.</summary>
    private static bool TryReadEndpoint(JsonElement document, string name, bool allowInsecureHttp, out Uri? endpoint, ref string? problem)
    {
        endpoint = null;
        if (!TryReadString(document, name, out var text))
        {
            problem = $"has an invalid {name}";
            return false;
        }

        if (text is null)
        {
            return true;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            problem = $"has an invalid {name}";
            return false;
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback && !allowInsecureHttp)
        {
            problem = $"names an http {name} ({uri.GetLeftPart(UriPartial.Authority)}), which is allowed only for loopback addresses unless Flaat:AllowInsecureHttpIssuers is true";
            return false;
        }

        endpoint = uri;
        return true;
    }

    /// <summary>
    /// Reads a member that should be a non-empty string (<paramref name="text"/> is <see langword="null"/>
    /// for anything else); <see langword="false"/> when it is a JSON string that is no text: escapes of
    /// lone surrogates (<c>"\ud800"</c>) are valid JSON, but reading them throws.
    /// </summary>
    private static bool TryReadString(JsonElement document, string name, out string? text)
    {
        text = null;
        if (!document.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return true;
        }

        try
        {
            text = value.GetString() is { Length: > 0 } read ? read : null;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
