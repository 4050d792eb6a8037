namespace Flaat.Tokens;

/// <summary>
/// Base64url for the parts of a compact JWS, written out so that nothing can throw: a strict test of
/// the one canonical spelling (RFC 7515 §2, RFC 4648 §5 without padding) and a lenient decoder that
/// only tells whether text was meant as base64 at all.
/// </summary>
internal static class Base64UrlPart
{
    /// <summary>Whether the text is canonical base64url: alphabet <c>A-Z a-z 0-9 - _</c>, no padding, no whitespace, length mod 4 ≠ 1, unused low bits zero.</summary>
    public static bool IsCanonical(ReadOnlySpan<char> text)
    {
        if (text.Length % 4 == 1)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (UrlValue(c) < 0)
            {
                return false;
            }
        }

        if (text.IsEmpty)
        {
            return true;
        }

        // The last character carries 2 (length mod 4 = 2) or 4 (mod 4 = 3) bits that encode nothing; they must be zero.
        var last = UrlValue(text[^1]);
        return (text.Length % 4) switch
        {
            2 => (last & 0x0F) == 0,
            3 => (last & 0x03) == 0,
            _ => true,
        };
    }

    /// <summary>
    /// Decodes base64 leniently: either alphabet, whitespace skipped, trailing <c>=</c> padding, stray
    /// low bits ignored. <see langword="null"/> when the text is not base64 even so.
    /// </summary>
    public static byte[]? DecodeLenient(ReadOnlySpan<char> text)
    {
        var output = new byte[(text.Length * 3 / 4) + 3];
        var written = 0;
        var buffer = 0;
        var bits = 0;
        var padding = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            if (c == '=')
            {
                padding = true;
                continue;
            }

            var value = AnyValue(c);
            if (value < 0 || padding)
            {
                return null;
            }

            buffer = (buffer << 6) | value;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                output[written++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }

        // Six bits left over means one character of a quantum: no byte can come of it.
        return bits == 6 ? null : output.AsSpan(0, written).ToArray();
    }

    private static int UrlValue(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        '_' => 63,
        _ => -1,
    };

    private static int AnyValue(char c) => c switch
    {
        '+' => 62,
        '/' => 63,
        _ => UrlValue(c),
    };
}
