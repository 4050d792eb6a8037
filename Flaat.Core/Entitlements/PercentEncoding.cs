using System.Buffers;
using System.Text;

namespace Flaat.Entitlements;

/// <summary>The two percent-encoding treatments the AARC recommendations ask for.</summary>
internal static class PercentEncoding
{
    /// <summary>
    /// Decodes every <c>%XX</c> (hex digits in either case) as UTF-8; bytes that are not valid UTF-8
    /// become U+FFFD, a <c>%</c> not followed by two hex digits stays as it is. Returns
    /// <paramref name="value"/> itself when there is nothing to decode.
    /// </summary>
    public static string Decode(string value)
    {
        var first = value.IndexOf('%', StringComparison.Ordinal);
        if (first < 0 || !HasEscape(value, first))
        {
            return value;
        }

        // Decoding never lengthens the text: 3 characters become one byte, and n bytes decode to at most n characters.
        var chars = ArrayPool<char>.Shared.Rent(value.Length);
        var bytes = ArrayPool<byte>.Shared.Rent((value.Length / 3) + 1);
        try
        {
            value.AsSpan(0, first).CopyTo(chars);
            var written = first;
            var pending = 0;
            var i = first;
            while (i < value.Length)
            {
                if (IsEscape(value, i))
                {
                    bytes[pending++] = (byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]));
                    i += 3;
                    continue;
                }

                written += Flush(bytes, ref pending, chars.AsSpan(written));
                chars[written++] = value[i++];
            }

            written += Flush(bytes, ref pending, chars.AsSpan(written));
            return new string(chars, 0, written);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// Writes as <c>%25</c> every <c>%</c> that <see cref="Decode"/> would read as an escape, so that
    /// decoding the result gives <paramref name="value"/> back. Returns <paramref name="value"/> itself
    /// when there is none.
    /// </summary>
    public static string EscapeEscapes(string value)
    {
        var first = value.IndexOf('%', StringComparison.Ordinal);
        if (first < 0 || !HasEscape(value, first))
        {
            return value;
        }

        var text = new StringBuilder(value.Length + 8);
        for (var i = 0; i < value.Length; i++)
        {
            text.Append(value[i]);
            if (IsEscape(value, i))
            {
                text.Append("25");
            }
        }

        return text.ToString();
    }

    /// <summary>Whether some <c>%XX</c> in <paramref name="value"/> has a lower-case hex digit.</summary>
    public static bool HasLowerCaseEscape(ReadOnlySpan<char> value)
    {
        for (var i = value.IndexOf('%'); i >= 0 && i + 2 < value.Length; i++)
        {
            if (value[i] == '%' && char.IsAsciiHexDigit(value[i + 1]) && char.IsAsciiHexDigit(value[i + 2])
                && (char.IsAsciiLetterLower(value[i + 1]) || char.IsAsciiLetterLower(value[i + 2])))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/>, upper-casing the hex digits of every <c>%XX</c>.</summary>
    public static void CopyWithUpperCaseEscapes(ReadOnlySpan<char> source, Span<char> destination)
    {
        source.CopyTo(destination);
        var i = 0;
        while (i + 2 < source.Length)
        {
            if (source[i] == '%' && char.IsAsciiHexDigit(source[i + 1]) && char.IsAsciiHexDigit(source[i + 2]))
            {
                destination[i + 1] = char.ToUpperInvariant(source[i + 1]);
                destination[i + 2] = char.ToUpperInvariant(source[i + 2]);
                i += 3;
            }
            else
            {
                i++;
            }
        }
    }

    private static bool HasEscape(string value, int from)
    {
        for (var i = from; i >= 0; i = value.IndexOf('%', i + 1))
        {
            if (IsEscape(value, i))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsEscape(string value, int i) =>
        value[i] == '%' && i + 2 < value.Length && char.IsAsciiHexDigit(value[i + 1]) && char.IsAsciiHexDigit(value[i + 2]);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static int Flush(byte[] bytes, ref int pending, Span<char> destination)
    {
        if (pending == 0)
        {
            return 0;
        }

        var written = Encoding.UTF8.GetChars(bytes.AsSpan(0, pending), destination);
        pending = 0;
        return written;
    }
}
