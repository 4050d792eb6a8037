using System.Globalization;

namespace Flaat.Cli;

/// <summary>
/// Durations for people: renders <c>1 hour, 2 minutes and 3 seconds</c>, and reads the compact form
/// options take: whole seconds (<c>90</c>) or numbers with units, largest first (<c>1h30m</c>, <c>500ms</c>).
/// </summary>
internal static class Durations
{
    /// <summary>How the option help describes the syntax <see cref="TryParse"/> reads.</summary>
    public const string Syntax = "seconds, or a number with a unit d, h, m, s or ms, several largest first: 90, 5m, 1h30m, 500ms";

    // Largest first: the order the parts of a duration must come in.
    private static readonly (string Unit, long Milliseconds)[] Units =
        [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];

    /// <summary>
    /// Reads a duration in the compact form (<see cref="Syntax"/>): whole seconds, or parts such as
    /// <c>1h</c>, <c>30m</c>, <c>15s</c>, <c>500ms</c>, each unit at most once and largest first.
    /// </summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var rest = text.AsSpan();
        if (rest.IsEmpty || rest.Length > 64)
        {
            return false;
        }

        // At most 9 digits per number keeps every sum far inside TimeSpan's range.
        if (!rest.ContainsAnyExceptInRange('0', '9'))
        {
            return rest.Length <= 9 && Set(Number(rest) * 1_000, out duration);
        }

        long total = 0;
        var next = 0;
        while (!rest.IsEmpty)
        {
            var digits = rest.IndexOfAnyExceptInRange('0', '9');
            var letters = digits <= 0 ? -1 : rest[digits..].IndexOfAnyExceptInRange('a', 'z');
            var unit = letters < 0 ? rest[Math.Max(digits, 0)..] : rest.Slice(digits, letters);
            var index = digits is <= 0 or > 9 ? Units.Length : next;
            while (index < Units.Length && !unit.SequenceEqual(Units[index].Unit))
            {
                index++;
            }

            if (index == Units.Length)
            {
                return false;
            }

            total += Number(rest[..digits]) * Units[index].Milliseconds;
            next = index + 1;
            rest = rest[(digits + unit.Length)..];
        }

        return Set(total, out duration);
    }

    private static long Number(ReadOnlySpan<char> digits) => long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);

    private static bool Set(long milliseconds, out TimeSpan duration)
    {
        // 999999999d is beyond TimeSpan's range (about 29 000 years): not a duration.
        var fits = milliseconds <= TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMillisecond;
        duration = fits ? TimeSpan.FromMilliseconds(milliseconds) : TimeSpan.Zero;
        return fits;
    }

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
