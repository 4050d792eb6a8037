namespace Flaat.Errors;

/// <summary>Helpers for the text of error descriptions and log lines.</summary>
internal static class ErrorText
{
    /// <summary>The longest value taken from a token or an OP answer that goes into a message, in characters.</summary>
    public const int MaxValueLength = 120;

    /// <summary>Caps a value taken from a token before it goes into an error message or log line.</summary>
    public static string Shorten(string value) =>
        value.Length <= MaxValueLength
            ? value
            // Never half a surrogate pair: the cut falls before a pair that would straddle it.
            : string.Concat(value.AsSpan(0, char.IsHighSurrogate(value[MaxValueLength - 1]) ? MaxValueLength - 1 : MaxValueLength), "...");
}
