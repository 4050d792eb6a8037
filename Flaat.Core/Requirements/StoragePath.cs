using System.Buffers;
using System.Text;

namespace Flaat.Requirements;

/// <summary>
/// Paths of WLCG and SciTokens storage capabilities, and of the requests they are checked against,
/// in one normal form: <c>/</c> or <c>/seg/seg</c>, empty and <c>.</c> segments dropped (<c>//</c>
/// and <c>/./</c> collapse). A capability for <c>/a</c> covers <c>/a</c> and <c>/a/b</c>, never
/// <c>/ab</c>: the comparison is by whole segments (WLCG Common JWT Profile, "Capability-based
/// authorization", paths are directory hierarchies).
/// </summary>
/// <remarks>
/// A scope's path is URL-escaped by the issuer (WLCG v1.1), so it is percent-decoded once (UTF-8);
/// a request's path is what the application uses (an ASP.NET Core route value is already decoded),
/// so it is never decoded: <c>%</c> is an ordinary character there. Fail-closed rules where the
/// profiles are silent: a path with a control character or a backslash (a separator on some storage
/// systems) is refused; in a scope so is malformed percent-encoding, invalid UTF-8 and a
/// percent-encoded <c>.</c>, <c>/</c>, <c>\</c> or <c>%</c>; in a request so is <c>%2F</c>,
/// <c>%5C</c>, <c>%2E</c> or <c>%25</c> (any case), because a system that decodes the name would
/// see a different path than the one checked. Any <c>..</c> segment is refused in both, never resolved.
/// </remarks>
internal static class StoragePath
{
    /// <summary>The longest path accepted, in characters; longer ones are refused.</summary>
    public const int MaxLength = 4096;

    private static readonly SearchValues<char> Forbidden = SearchValues.Create("\\\u007f");

    /// <summary>Normalises a capability scope's path: decoded once; a trailing <c>/</c> (not the root) makes it a directory.</summary>
    /// <param name="path">The path from the token's scope.</param>
    /// <param name="normalized">The normal form, when valid.</param>
    /// <param name="isDirectory">Whether the scope names a directory (its path ends with <c>/</c> and is not the root): it covers only paths strictly below it.</param>
    /// <param name="problem">Why the path is refused, when invalid.</param>
    public static bool TryNormalizeScope(string? path, out string normalized, out bool isDirectory, out string problem)
    {
        normalized = "/";
        isDirectory = false;
        if (!CheckLength(path, out problem) || !TryDecode(path!, out var decoded, out problem) || !TryCollapse(decoded, out normalized, out problem))
        {
            return false;
        }

        isDirectory = normalized != "/" && decoded.EndsWith('/');
        return true;
    }

    /// <summary>Normalises a request's path, as the application uses it: never decoded; a missing leading slash is added by the caller.</summary>
    /// <param name="path">The (already decoded) path of the request.</param>
    /// <param name="normalized">The normal form, when valid.</param>
    /// <param name="problem">Why the path is refused, when invalid.</param>
    public static bool TryNormalizeRequest(string? path, out string normalized, out string problem)
    {
        normalized = "/";
        if (!CheckLength(path, out problem))
        {
            return false;
        }

        foreach (var c in path!)
        {
            if (char.IsControl(c) || Forbidden.Contains(c))
            {
                problem = "the path has a control character or a backslash";
                return false;
            }
        }

        for (var i = path.IndexOf('%', StringComparison.Ordinal); i >= 0 && i + 2 < path.Length; i = path.IndexOf('%', i + 1))
        {
            if (path[i + 1] is '2' && (path[i + 2] | 0x20) is 'f' or 'e' || path[i + 1] is '5' && (path[i + 2] | 0x20) is 'c' || path[i + 1] is '2' && path[i + 2] is '5')
            {
                problem = "the path has an encoded '/', '\\', '.' or '%' (%2F, %5C, %2E, %25)";
                return false;
            }
        }

        return TryCollapse(path, out normalized, out problem);
    }

    private static bool CheckLength(string? path, out string problem)
    {
        problem = path is null ? "no path" : path.Length > MaxLength ? "the path is too long" : string.Empty;
        return problem.Length == 0;
    }

    private static bool TryCollapse(string path, out string normalized, out string problem)
    {
        normalized = "/";
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                problem = "the path has a '..' segment";
                return false;
            }

            segments.Add(segment);
        }

        normalized = "/" + string.Join('/', segments);
        problem = string.Empty;
        return true;
    }

    /// <summary>
    /// Whether a capability for <paramref name="granted"/> covers <paramref name="requested"/>; both
    /// normalised. A directory (<paramref name="isDirectory"/>) covers only paths strictly below it.
    /// </summary>
    public static bool Covers(string granted, string requested, bool isDirectory = false) =>
        granted == "/"
        || (!isDirectory && string.Equals(granted, requested, StringComparison.Ordinal))
        || (requested.Length > granted.Length
            && requested.StartsWith(granted, StringComparison.Ordinal)
            && requested[granted.Length] == '/');

    private static bool TryDecode(string path, out string decoded, out string problem)
    {
        decoded = path;
        problem = string.Empty;
        foreach (var c in path)
        {
            if (char.IsControl(c) || Forbidden.Contains(c))
            {
                problem = "the path has a control character or a backslash";
                return false;
            }
        }

        if (!path.Contains('%', StringComparison.Ordinal))
        {
            return true;
        }

        var bytes = new List<byte>(path.Length);
        Span<byte> one = stackalloc byte[4];
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] != '%')
            {
                var length = Encoding.UTF8.GetBytes(path.AsSpan(i, char.IsSurrogatePair(path, i) ? 2 : 1), one);
                i += char.IsSurrogatePair(path, i) ? 1 : 0;
                bytes.AddRange(one[..length]);
                continue;
            }

            if (i + 2 >= path.Length || !IsHex(path[i + 1]) || !IsHex(path[i + 2]))
            {
                problem = "the path has a malformed percent-encoding";
                return false;
            }

            var b = (byte)((HexValue(path[i + 1]) << 4) | HexValue(path[i + 2]));
            if (b is (byte)'.' or (byte)'/' or (byte)'\\' or (byte)'%' || b < 0x20 || b == 0x7f)
            {
                problem = "the path has a percent-encoded '.', '/', '\\', '%' or control character";
                return false;
            }

            bytes.Add(b);
            i += 2;
        }

        try
        {
            decoded = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            problem = "the path's percent-encoding is not UTF-8";
            return false;
        }

        foreach (var c in decoded)
        {
            if (char.IsControl(c))
            {
                problem = "the path has a control character";
                return false;
            }
        }

        return true;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
