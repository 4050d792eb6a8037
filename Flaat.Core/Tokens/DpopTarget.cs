namespace Flaat.Tokens;

/// <summary>
/// The HTTP URI a DPoP proof's <c>htu</c> names, compared after RFC 3986 section 6.2.2 and 6.2.3
/// normalisation (scheme and host case, default port, percent-encoding case and unreserved
/// characters, dot segments, an empty path as <c>/</c>) and without query and fragment (RFC 9449
/// section 4.3). Never throws.
/// </summary>
internal static class DpopTarget
{
    /// <summary>The longest <c>htu</c> or request URL read.</summary>
    public const int MaxLength = 8192;

    /// <summary>The normalised form of an absolute <c>http</c> or <c>https</c> URI without query and fragment; <see langword="null"/> when it is not one.</summary>
    public static string? Normalize(string? uri)
    {
        if (string.IsNullOrEmpty(uri) || uri.Length > MaxLength || uri.AsSpan().ContainsAnyInRange('\0', ' ') || uri.Contains('\u007f', StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed)
                || parsed.Scheme is not ("http" or "https")
                || parsed.UserInfo.Length > 0
                || string.IsNullOrEmpty(parsed.IdnHost))
            {
                return null;
            }

            // Scheme and host come lower case from Uri, the port only when it is not the scheme's default.
            return parsed.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped).ToLowerInvariant() + UpperHex(parsed.AbsolutePath);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    // RFC 3986 section 6.2.2.1: the hex digits of a percent-encoding compare upper case.
    private static string UpperHex(string path)
    {
        if (!path.Contains('%', StringComparison.Ordinal))
        {
            return path;
        }

        return string.Create(path.Length, path, static (span, source) =>
        {
            source.CopyTo(span);
            for (var i = 0; i + 2 < span.Length; i++)
            {
                if (span[i] == '%')
                {
                    span[i + 1] = char.ToUpperInvariant(span[i + 1]);
                    span[i + 2] = char.ToUpperInvariant(span[i + 2]);
                }
            }
        });
    }

    /// <summary>
    /// The request's URL as a proof must name it: the public origin when one is configured, else the
    /// request's own scheme and host, then its path (query left out).
    /// </summary>
    public static string? OfRequest(string requestUrl, string? publicOrigin)
    {
        if (publicOrigin is null)
        {
            return Normalize(requestUrl);
        }

        // The request's path (and only its path) after the configured origin.
        var schemeEnd = requestUrl.IndexOf("://", StringComparison.Ordinal);
        var pathStart = schemeEnd < 0 ? -1 : requestUrl.IndexOf('/', schemeEnd + 3);
        var path = pathStart < 0 ? "/" : requestUrl[pathStart..];
        return Normalize(publicOrigin.TrimEnd('/') + path);
    }
}
