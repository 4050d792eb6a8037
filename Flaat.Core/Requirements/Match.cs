using System.Globalization;

namespace Flaat.Requirements;

/// <summary>
/// How many of a list of required values a user must have (flaat's <c>match</c> argument):
/// <see cref="All"/> (the default), <see cref="One"/> or <see cref="AtLeast(int)"/> n.
/// </summary>
public readonly record struct Match
{
    // 0 stands for "all", so that default(Match) is All.
    private readonly int _minimum;

    private Match(int minimum) => _minimum = minimum;

    /// <summary>Every value is required. The default.</summary>
    public static Match All => default;

    /// <summary>At least one value is required.</summary>
    public static Match One => new(1);

    /// <summary>Whether every value is required.</summary>
    public bool IsAll => _minimum == 0;

    /// <summary>How many values are required at least; <see langword="null"/> for <see cref="All"/>.</summary>
    public int? Minimum => IsAll ? null : _minimum;

    /// <summary>At least <paramref name="count"/> values are required.</summary>
    /// <param name="count">How many, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    public static Match AtLeast(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new Match(count);
    }

    /// <summary>Reads <c>all</c>, <c>one</c> (any case) or a positive number.</summary>
    /// <param name="value">The text.</param>
    /// <param name="match">The match read, when the text is valid.</param>
    /// <returns>Whether the text is valid.</returns>
    public static bool TryParse(string? value, out Match match)
    {
        var text = value.AsSpan().Trim();
        if (text.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            match = All;
            return true;
        }

        if (text.Equals("one", StringComparison.OrdinalIgnoreCase))
        {
            match = One;
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1)
        {
            match = new Match(count);
            return true;
        }

        match = default;
        return false;
    }

    /// <summary>Reads <c>all</c>, <c>one</c> (any case) or a positive number.</summary>
    /// <param name="value">The text.</param>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static Match Parse(string value) =>
        TryParse(value, out var match) ? match : throw new FormatException($"A match must be 'all', 'one' or a positive number, got '{value}'.");

    /// <summary><c>all</c>, <c>one</c> or the number.</summary>
    public override string ToString() => _minimum switch
    {
        0 => "all",
        1 => "one",
        _ => _minimum.ToString(CultureInfo.InvariantCulture),
    };
}
