namespace Flaat;

/// <summary>flaat's rules for issuer URLs: comparison, and where the discovery document lives.</summary>
internal static class IssuerUrl
{
    public const string WellKnown = "/.well-known/openid-configuration";

    /// <summary>The issuer as compared: without one trailing slash, and without the discovery suffix if one was configured.</summary>
    public static string Normalize(string issuer)
    {
        var trimmed = issuer.Trim();
        if (trimmed.EndsWith(WellKnown, StringComparison.Ordinal))
        {
            trimmed = trimmed[..^WellKnown.Length];
        }

        return WithoutTrailingSlash(trimmed);
    }

    /// <summary>The URL without its last character if that is a slash: at most one slash is dropped.</summary>
    public static string WithoutTrailingSlash(string issuer) =>
        issuer.EndsWith('/') ? issuer[..^1] : issuer;

    /// <summary>
    /// Whether two issuers are the same, ignoring at most one trailing slash on either (allocation-free):
    /// <c>https://op/</c> is <c>https://op</c>, but <c>https://op//</c> is not.
    /// </summary>
    public static bool AreSame(string? left, string? right)
    {
        if (left is null || right is null)
        {
            return false;
        }

        var l = left.EndsWith('/') ? left.AsSpan(0, left.Length - 1) : left.AsSpan();
        var r = right.EndsWith('/') ? right.AsSpan(0, right.Length - 1) : right.AsSpan();
        return l.SequenceEqual(r);
    }

    /// <summary>
    /// The discovery URLs to try, in order (flaat): a configured discovery URL as it is; an issuer
    /// ending in <c>/oauth2</c> with the suffix appended; otherwise <c>iss + suffix</c>, then
    /// <c>iss + /oauth2 + suffix</c>. Double slashes in the path collapse; the scheme is kept
    /// (flaat forces https — Flaat does not, and validates http at start-up instead).
    /// </summary>
    public static IReadOnlyList<Uri> DiscoveryCandidates(string configured)
    {
        var trimmed = configured.Trim();
        if (trimmed.EndsWith(WellKnown, StringComparison.Ordinal))
        {
            return [new Uri(CollapseSlashes(trimmed))];
        }

        var issuer = trimmed.TrimEnd('/');
        if (issuer.EndsWith("/oauth2", StringComparison.Ordinal))
        {
            return [new Uri(CollapseSlashes(issuer + WellKnown))];
        }

        return [new Uri(CollapseSlashes(issuer + WellKnown)), new Uri(CollapseSlashes(issuer + "/oauth2" + WellKnown))];
    }

    /// <summary>Why an issuer URL is unusable, or <see langword="null"/> when it is fine.</summary>
    public static string? Problem(string? issuer, bool allowInsecureHttp)
    {
        if (string.IsNullOrWhiteSpace(issuer))
        {
            return "is empty";
        }

        if (!Uri.TryCreate(issuer.Trim(), UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return $"'{issuer}' is not an absolute URL";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
        {
            return $"'{issuer}' must use https";
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            return $"'{issuer}' must not have a query or fragment";
        }

        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback && !allowInsecureHttp)
        {
            return $"'{issuer}' uses http, which is allowed only for loopback addresses unless Flaat:AllowInsecureHttpIssuers is true";
        }

        return null;
    }

    private static string CollapseSlashes(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        var start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        var path = url[start..];
        while (path.Contains("//", StringComparison.Ordinal))
        {
            path = path.Replace("//", "/", StringComparison.Ordinal);
        }

        return url[..start] + path;
    }
}
