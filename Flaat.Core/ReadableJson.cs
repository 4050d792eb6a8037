using System.Text.Json;

namespace Flaat;

/// <summary>
/// JSON whose strings can all be read. The parser checks structure only: an escaped lone surrogate
/// (<c>"\ud800"</c>) is valid JSON, but reading it as a .NET string throws, wherever a claim is read
/// later. Whatever comes from outside (a token's parts, an OP's answers) is checked once, on arrival.
/// </summary>
internal static class ReadableJson
{
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
