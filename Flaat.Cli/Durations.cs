using System.Globalization;

namespace Flaat.Cli;

/// <summary>Renders a duration for people: <c>1 hour, 2 minutes and 3 seconds</c>.</summary>
internal static class Durations
{
    public static string Format(TimeSpan duration)
    {
        var total = (long)Math.Floor(Math.Abs(duration.TotalSeconds));
        if (total == 0)
        {
            return "less than a second";
        }

        var parts = new List<string>(4);
        Add(parts, total / 86_400, "day");
        Add(parts, total / 3_600 % 24, "hour");
        Add(parts, total / 60 % 60, "minute");
        Add(parts, total % 60, "second");
        return parts.Count == 1 ? parts[0] : string.Join(", ", parts[..^1]) + " and " + parts[^1];
    }

    private static void Add(List<string> parts, long count, string unit)
    {
        if (count > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? string.Empty : "s")}"));
        }
    }
}
