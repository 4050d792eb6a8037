using System.Buffers;
using System.Text;

namespace Flaat.Requirements;

/// <summary>
/// Paths of WLCG and SciTokens storage capabilities, and of the requests they are checked against,
/// in one normal form: <c>/</c> or <c>/seg/seg</c>, with percent-encodings decoded (UTF-8), empty
/// and <c>.</c> segments dropped (<c>//</c> and <c>/./</c> collapse) and <c>..</c> resolved. A
/// capability for <c>/a</c> covers <c>/a</c> and <c>/a/b</c>, never <c>/ab</c>: the comparison is
/// by whole segments (WLCG Common JWT Profile, "Capability-based authorization", paths are
/// directory hierarchies; the profiles say nothing about encodings, so Flaat fails closed there).
/// </summary>
/// <remarks>
/// Fail-closed rules where the profiles are silent: a path with a control character, a backslash
/// (a separator on some storage systems), malformed percent-encoding or invalid UTF-8 is refused;
/// so is a percent-encoded <c>.</c>, <c>/</c>, <c>\</c> or <c>%</c>, because a storage system that
/// decodes once more would see a different path than the one checked (double-encoding tricks). A
/// <c>..</c> that would climb above the root is refused. A capability's own path is stricter: any
/// <c>..</c> in it makes the capability invalid rather than resolving it (it never widens).
/// </remarks>
internal static class StoragePath
{
    /// <summary>The longest path accepted, in characters; longer ones are refused.</summary>
    public const int MaxLength = 4096;

    private static readonly SearchValues<char> Forbidden = SearchValues.Create("\\\u007f");

    /// <summary>Normalises a path; a missing leading slash is added (paths are relative to the storage's root).</summary>
    /// <param name="path">The path, from a token's scope or from the request.</param>
    /// <param name="allowDotDot">Whether <c>..</c> segments are resolved (request paths) or refused (capability paths).</param>
    /// <param name="normalized">The normal form, when valid.</param>
    /// <param name="problem">Why the path is refused, when invalid.</param>
    public static bool TryNormalize(string? path, bool allowDotDot, out string normalized, out string problem)
    {
        normalized = "/";
        if (path is null)
        {
            problem = "no path";
            return false;
        }

        if (path.Length > MaxLength)
        {
            problem = "the path is too long";
            return false;
        }

        if (!TryDecode(path, out var decoded, out problem))
        {
            return false;
        }

        var segments = new List<string>();
        foreach (var segment in decoded.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (!allowDotDot)
                {
                    problem = "the path has a '..' segment";
                    return false;
                }

                if (segments.Count == 0)
                {
                    problem = "the path climbs above the root with '..'";
                    return false;
                }

                segments.RemoveAt(segments.Count - 1);
                continue;
            }

            segments.Add(segment);
        }

        normalized = "/" + string.Join('/', segments);
        problem = string.Empty;
        return true;
    }

    /// <summary>Whether a capability for <paramref name="granted"/> covers <paramref name="requested"/>; both normalised.</summary>
    public static bool Covers(string granted, string requested) =>
        granted == "/"
        || string.Equals(granted, requested, StringComparison.Ordinal)
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
