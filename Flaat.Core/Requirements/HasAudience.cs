using System.Text.Json;

namespace Flaat.Requirements;

/// <summary>
/// Satisfied when the token was issued for an audience: the <c>aud</c> claim (a string or a list)
/// holds it. For an issuer that does not put meaningful audiences into its tokens (see
/// <see cref="IssuerOptions.SupportsAudience"/>) the requirement is satisfied with a message saying
/// that it was ignored, as flaat does. A token whose <c>aud</c> holds the WLCG profile's
/// <see cref="Wlcg.AnyAudience"/> satisfies it only when its issuer opted in
/// (<see cref="IssuerOptions.AcceptWlcgAnyAudience"/>, seen through a predicate built by
/// <see cref="Require.IssuerSupportsAudience(FlaatOptions)"/>) and the token claims a known <c>wlcg.ver</c>.
/// </summary>
public sealed class HasAudience : ClaimRequirement
{
    /// <summary>The claim that holds the audiences, <c>aud</c>.</summary>
    public const string AudienceClaim = "aud";

    /// <summary>The message of a check ignored because the issuer does not support audiences.</summary>
    public const string IgnoredMessage = "Issuer does not support audience setting, ignoring audience requirement.";

    private static readonly CheckResult Ignored = new(true, IgnoredMessage);
    private static readonly CheckResult AnyAudience = new(true, "Token is for any audience (WLCG profile), accepted for this issuer");

    private readonly JsonText _required;
    private readonly Func<string, bool>? _issuerSupportsAudience;

    /// <summary>Creates the requirement.</summary>
    /// <param name="required">The required audience.</param>
    /// <param name="issuerSupportsAudience">
    /// Tells, for the user's issuer, whether its audiences are checked; every issuer's are when
    /// <see langword="null"/>. <see cref="Require.IssuerSupportsAudience(FlaatOptions)"/> builds it from the settings.
    /// </param>
    public HasAudience(string required, Func<string, bool>? issuerSupportsAudience = null)
        : base(required, AudienceClaim)
    {
        _required = new JsonText(required);
        _issuerSupportsAudience = issuerSupportsAudience;
    }

    /// <inheritdoc />
    public override CheckResult IsSatisfiedBy(UserInfos userInfos)
    {
        ArgumentNullException.ThrowIfNull(userInfos);
        if (_issuerSupportsAudience is not null && !_issuerSupportsAudience(userInfos.Issuer))
        {
            return Ignored;
        }

        var result = base.IsSatisfiedBy(userInfos);
        return !result.IsSatisfied
            && IssuerAudiences.AcceptsWlcgAnyAudience(_issuerSupportsAudience, userInfos.Issuer)
            && userInfos.TryGetTokenClaim(AudienceClaim, out var aud)
            && NamesAnyAudience(aud)
            && TokenProfiles.ClaimsKnownWlcgVersion(userInfos)
            ? AnyAudience
            : result;
    }

    private protected override bool Matches(JsonElement value) => _required.EqualsValue(value);

    /// <summary>Whether an <c>aud</c> value (a string or a list) is or holds the WLCG "any" audience.</summary>
    internal static bool NamesAnyAudience(JsonElement aud)
    {
        if (aud.ValueKind == JsonValueKind.String)
        {
            return aud.ValueEquals(Wlcg.AnyAudience);
        }

        if (aud.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in aud.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && item.ValueEquals(Wlcg.AnyAudience))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
