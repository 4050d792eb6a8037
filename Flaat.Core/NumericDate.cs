using System.Globalization;
using System.Text.Json;

namespace Flaat;

/// <summary>An OP's time value (<c>exp</c> of userinfo or introspection): seconds since the epoch, as a JSON number or a numeric string.</summary>
internal static class NumericDate
{
    /// <summary>The time, or <see langword="null"/> when the value is not a number of seconds within <see cref="DateTimeOffset"/>'s range.</summary>
    public static DateTimeOffset? Read(JsonElement value)
    {
        double seconds;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number))
        {
            seconds = number;
        }
        else if (value.ValueKind == JsonValueKind.String
                 && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            seconds = parsed;
        }
        else
        {
            return null;
        }

        return double.IsNaN(seconds) || seconds < -62_135_596_800d || seconds > 253_402_300_799d
            ? null
            : DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000d));
    }
}
