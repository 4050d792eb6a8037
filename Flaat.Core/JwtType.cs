namespace Flaat;

/// <summary>
/// The shape of a JWT <c>typ</c>: checked at start-up for the configured access token types
/// (<see cref="IssuerOptions.AccessTokenTypes"/>) and again for the <c>typ</c> of each JWT whose
/// claims suffice, so both use the same rule.
/// </summary>
internal static class JwtType
{
    /// <summary>Whether a <c>typ</c> (configured, or a JWT's) is a plain media type (<c>type/subtype</c>, or a subtype with <c>application/</c> implied), without parameters.</summary>
    public static bool IsValid(string? type)
    {
        if (string.IsNullOrEmpty(type) || type.Length > 255)
        {
            return false;
        }

        var slash = type.IndexOf('/', StringComparison.Ordinal);
        if (slash == 0 || slash == type.Length - 1 || (slash > 0 && type.IndexOf('/', slash + 1) >= 0))
        {
            return false;
        }

        foreach (var c in type)
        {
            // RFC 6838 restricted-name characters (and the one slash).
            if (!char.IsAsciiLetterOrDigit(c) && "!#$&-^_.+/".IndexOf(c, StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }

        return true;
    }
}
