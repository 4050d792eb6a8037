using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Flaat.Requirements;

/// <summary>A required claim value, compared with JSON values without allocating.</summary>
internal readonly struct JsonText
{
    private readonly string _text;
    private readonly byte[] _utf8;

    public JsonText(string text)
    {
        _text = text;
        _utf8 = Encoding.UTF8.GetBytes(text);
    }

    /// <summary>
    /// Whether a JSON value equals the text: a string by its value, a boolean or number by its JSON
    /// text (so <c>"true"</c> matches <c>true</c> and <c>"42"</c> matches <c>42</c>, but <c>"42.0"</c>
    /// does not); objects and arrays never.
    /// </summary>
    public bool EqualsValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.ValueEquals(_text),
        JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number => JsonMarshal.GetRawUtf8Value(value).SequenceEqual(_utf8),
        _ => false,
    };

    /// <summary>Whether a JSON string, read as space-separated words (an OAuth <c>scope</c>), contains the text.</summary>
    public bool IsWordOf(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length >= 2 && raw[0] == (byte)'"')
        {
            raw = raw[1..^1];
        }

        if (raw.IndexOf((byte)'\\') >= 0)
        {
            // Escaped characters: rare enough to decode the string.
            foreach (var word in value.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (string.Equals(word, _text, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        while (!raw.IsEmpty)
        {
            var end = raw.IndexOf((byte)' ');
            var word = end < 0 ? raw : raw[..end];
            if (word.SequenceEqual(_utf8))
            {
                return true;
            }

            raw = end < 0 ? [] : raw[(end + 1)..];
        }

        return false;
    }
}
