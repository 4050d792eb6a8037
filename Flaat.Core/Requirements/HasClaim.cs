using System.Text.Json;

namespace Flaat.Requirements;

/// <summary>
/// Satisfied when a claim has the required value: a list claim when any element equals it, any
/// other claim when it equals it. Strings compare by value; booleans and numbers by their JSON text,
/// so <c>new HasClaim("true", "email_verified")</c> matches <c>"email_verified": true</c>.
/// </summary>
public sealed class HasClaim : ClaimRequirement
{
    private readonly JsonText _required;

    /// <summary>Creates the requirement.</summary>
    /// <param name="required">The required value.</param>
    /// <param name="claim">The claim's name, e.g. <c>email</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="claim"/> is empty.</exception>
    public HasClaim(string required, string claim)
        : base(required, claim)
    {
        _required = new JsonText(required);
    }

    private protected override bool Matches(JsonElement value) => _required.EqualsValue(value);
}
