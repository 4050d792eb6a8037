using System.Text.Json;

namespace Flaat.Requirements;

/// <summary>
/// Satisfied when the token grants an OAuth scope: the <c>scope</c> claim, a space-separated string
/// (RFC 8693, RFC 9068) or a list of such strings, contains it. flaat has no such requirement.
/// </summary>
public sealed class HasScope : ClaimRequirement
{
    /// <summary>The claim that holds the scopes by default, <c>scope</c>.</summary>
    public const string ScopeClaim = "scope";

    private readonly JsonText _required;

    /// <summary>Creates the requirement.</summary>
    /// <param name="required">The required scope, e.g. <c>storage.read</c>.</param>
    /// <param name="claim">The claim holding the scopes; <c>scope</c> unless an OP uses another (e.g. <c>scp</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="required"/> is empty or contains a space, or <paramref name="claim"/> is empty.</exception>
    public HasScope(string required, string claim = ScopeClaim)
        : base(
            required,
            claim,
            $"Scope '{required}' is granted by claim '{claim}'",
            $"User has no scope '{required}' in claim '{claim}'")
    {
        if (required.Length == 0 || required.Contains(' ', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A scope must be one non-empty word, got '{required}'.", nameof(required));
        }

        _required = new JsonText(required);
    }

    private protected override bool Matches(JsonElement value) => _required.IsWordOf(value);
}
