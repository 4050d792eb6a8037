using System.Text.Json;

namespace Flaat;

/// <summary>
/// JSON whose strings can all be read. The parser checks structure only: an escaped lone surrogate
/// (<c>"\ud800"</c>) is valid JSON, but reading it as a .NET string throws, wherever a claim is read
/// later. Whatever comes from outside (a token's parts, an OP's answers) is checked once, on arrival.
/// </summary>
internal static class ReadableJson
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>Why bytes are not a readable JSON object.</summary>
    public enum Problem
    {
        /// <summary>They are one.</summary>
        None,

        /// <summary>Not JSON, too deep, or a member repeated at any depth (two readers could see two documents).</summary>
        NotJson,

        /// <summary>JSON, but not an object.</summary>
        NotObject,

        /// <summary>A string or property name that is not valid Unicode (an escaped lone surrogate).</summary>
        Unreadable,
    }

    /// <summary>
    /// Parses a JSON object strictly, once, for whatever comes from outside (a token's header and
    /// payload, an OP's answer): no repeated members, every string and name readable. Never throws.
    /// </summary>
    /// <param name="utf8">The bytes.</param>
    /// <param name="root">The object (detached from the parser) when the result is <see cref="Problem.None"/>.</param>
    public static Problem ParseObject(ReadOnlyMemory<byte> utf8, out JsonElement root)
    {
        root = default;
        try
        {
            using var document = JsonDocument.Parse(utf8, Strict);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Problem.NotObject;
            }

            if (!HasOnlyReadableStrings(document.RootElement))
            {
                return Problem.Unreadable;
            }

            root = document.RootElement.Clone();
            return Problem.None;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            return Problem.NotJson;
        }
        catch (InvalidOperationException)
        {
            // A property name that is not valid Unicode, which the check for repeated members has to read.
            return Problem.Unreadable;
        }
    }

    /// <summary>Whether every property name and string value can be read as a .NET string.</summary>
    public static bool HasOnlyReadableStrings(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!HasOnlyReadableStrings(property.Value))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (!HasOnlyReadableStrings(item))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
