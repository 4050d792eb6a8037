using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Flaat.Entitlements;

namespace Flaat.Requirements;

/// <summary>
/// Satisfied when the user has a group or an AARC entitlement (flaat's <c>HasAARCEntitlement</c>).
/// When the required value is an AARC-G069 entitlement, an available value matches when it is an
/// AARC-G069 entitlement that <see cref="AarcEntitlement.Satisfies(AarcEntitlement)"/> it (a member of
/// a subgroup is a member of its parent group); available values that are not entitlements never
/// match. Any other required value (a plain group name) matches an equal value.
/// </summary>
public sealed class HasAarcEntitlement : ClaimRequirement
{
    /// <summary>The claim that holds entitlements by default, <c>eduperson_entitlement</c>.</summary>
    public const string DefaultClaim = "eduperson_entitlement";

    private readonly AarcEntitlement? _entitlement;
    private readonly JsonText _text;
    private readonly byte[] _groupMarker = [];

    /// <summary>Creates the requirement.</summary>
    /// <param name="required">The required AARC entitlement or group name.</param>
    /// <param name="claim">The claim holding the user's entitlements or groups.</param>
    /// <exception cref="ArgumentException"><paramref name="claim"/> is empty.</exception>
    public HasAarcEntitlement(string required, string claim = DefaultClaim)
        : base(required, claim)
    {
        _text = new JsonText(required);
        if (AarcEntitlement.TryParse(required, AarcSpec.G069, out var entitlement))
        {
            _entitlement = entitlement;
            _groupMarker = Encoding.UTF8.GetBytes(":group:" + entitlement.Group);
        }
    }

    /// <summary>The required value as an entitlement; <see langword="null"/> when it is compared as plain text.</summary>
    public AarcEntitlement? RequiredEntitlement => _entitlement;

    private protected override bool Matches(JsonElement value)
    {
        if (_entitlement is null)
        {
            return _text.EqualsValue(value);
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        // Parsing allocates; skip values that cannot be in the required group. A value written
        // without escapes (JSON or percent) must contain ":group:<group>" literally to satisfy it.
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.IndexOfAny((byte)'%', (byte)'\\') < 0 && raw.IndexOf(_groupMarker) < 0)
        {
            return false;
        }

        return AarcEntitlement.TryParse(value.GetString(), AarcSpec.G069, out var available) && available.Satisfies(_entitlement);
    }
}
