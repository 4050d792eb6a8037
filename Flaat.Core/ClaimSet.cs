using System.Text.Json;

namespace Flaat;

/// <summary>Helpers for the immutable claim dictionaries held by <see cref="UserInfos"/> and <see cref="AccessTokenInfo"/>.</summary>
internal static class ClaimSet
{
    public static readonly IReadOnlyDictionary<string, JsonElement> Empty = new Dictionary<string, JsonElement>(0, StringComparer.Ordinal);

    /// <summary>Copies a JSON object into a dictionary whose values outlive any <see cref="JsonDocument"/>.</summary>
    public static IReadOnlyDictionary<string, JsonElement> From(JsonElement element, string parameterName)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"Expected a JSON object, got {element.ValueKind}.", parameterName);
        }

        var clone = element.Clone();
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in clone.EnumerateObject())
        {
            // The last duplicate wins, as in most JSON readers.
            result[property.Name] = property.Value;
        }

        return result;
    }

    /// <summary>Writes a claim set as a JSON object with its keys (and nested keys) sorted ordinally.</summary>
    public static void WriteSorted(Utf8JsonWriter writer, IReadOnlyDictionary<string, JsonElement> claims)
    {
        writer.WriteStartObject();
        foreach (var key in claims.Keys.Order(StringComparer.Ordinal))
        {
            writer.WritePropertyName(key);
            WriteSorted(writer, claims[key]);
        }

        writer.WriteEndObject();
    }

    private static void WriteSorted(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    WriteSorted(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteSorted(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
