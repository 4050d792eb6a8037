using System.Collections.Frozen;
using System.Text.Json;

namespace Flaat.Requirements;

/// <summary>
/// Requirements of the REFEDS Assurance Framework (RAF) 1.0 on <c>eduperson_assurance</c>: a
/// required value is met by itself or by a value that implies it, as the framework defines:
/// <list type="bullet">
/// <item>IAP levels are cumulative (RAF 1.0, "Identity assurance"): <c>IAP/high</c> implies
/// <c>IAP/medium</c>, which implies <c>IAP/low</c>.</item>
/// <item>The Cappuccino profile (RAF 1.0, "Assurance profiles: Cappuccino") implies
/// <c>ID/unique</c>, <c>ID/eppn-unique-no-reassign</c>, <c>IAP/low</c>, <c>IAP/medium</c>,
/// <c>ATP/ePA-1m</c> and conformance (<c>https://refeds.org/assurance</c>).</item>
/// <item>The Espresso profile (RAF 1.0, "Assurance profiles: Espresso") implies all of Cappuccino's
/// values, Cappuccino itself and <c>IAP/high</c>.</item>
/// </list>
/// Where the framework is silent Flaat infers nothing (fail closed): <c>ATP/ePA-1d</c> does not
/// imply <c>ATP/ePA-1m</c>, <c>ID/eppn-unique-no-reassign</c> does not imply
/// <c>ID/eppn-unique-reassign-1y</c>, <c>IAP/local-enterprise</c> implies no level, and no value
/// implies a profile.
/// </summary>
public static class Refeds
{
    /// <summary>The claim with the assurance values, <c>eduperson_assurance</c>.</summary>
    public const string AssuranceClaim = "eduperson_assurance";

    private const string Prefix = "https://refeds.org/assurance";
    private const string Cappuccino = Prefix + "/profile/cappuccino";
    private const string Espresso = Prefix + "/profile/espresso";
    private const string IapLow = Prefix + "/IAP/low";
    private const string IapMedium = Prefix + "/IAP/medium";
    private const string IapHigh = Prefix + "/IAP/high";

    // What each asserted value implies (besides itself).
    private static readonly FrozenDictionary<string, string[]> Implies = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [IapMedium] = [IapLow],
        [IapHigh] = [IapMedium, IapLow],
        [Cappuccino] = [Prefix, Prefix + "/ID/unique", Prefix + "/ID/eppn-unique-no-reassign", IapLow, IapMedium, Prefix + "/ATP/ePA-1m"],
        [Espresso] = [Cappuccino, Prefix, Prefix + "/ID/unique", Prefix + "/ID/eppn-unique-no-reassign", IapLow, IapMedium, IapHigh, Prefix + "/ATP/ePA-1m"],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// An assurance value in <c>eduperson_assurance</c>, e.g. <c>https://refeds.org/assurance/IAP/medium</c>,
    /// met by the value itself or by one that implies it (see <see cref="Refeds"/>). A value outside
    /// RAF is compared exactly.
    /// </summary>
    /// <param name="required">The required value.</param>
    /// <returns>The requirement.</returns>
    /// <exception cref="ArgumentException">The value is empty.</exception>
    public static Requirement Assurance(string required) => new HasAssurance(required);

    /// <summary>Several assurance values (each as <see cref="Assurance(string)"/>), all by default.</summary>
    /// <param name="required">The required values, at least one.</param>
    /// <param name="match">How many of them must be met.</param>
    /// <returns>The requirement.</returns>
    /// <exception cref="ArgumentException">No value, an empty value, or a match asking for more values than given.</exception>
    public static Requirement Assurance(IEnumerable<string> required, Match match = default) =>
        Require.Combine(required, match, value => new HasAssurance(value));

    /// <summary>The authentication context class (<c>acr</c>) is one of the given values, compared exactly, e.g. <c>https://refeds.org/profile/mfa</c>.</summary>
    /// <param name="acceptable">The acceptable values, at least one.</param>
    /// <returns>The requirement.</returns>
    /// <exception cref="ArgumentException">No value or a null value.</exception>
    public static Requirement Acr(params IEnumerable<string> acceptable) => Require.Claim(acceptable, "acr", Match.One);

    /// <summary>The values that meet <paramref name="required"/>: itself and those that imply it.</summary>
    internal static string[] MetBy(string required) =>
        [required, .. Implies.Where(pair => pair.Value.Contains(required, StringComparer.Ordinal)).Select(pair => pair.Key).Order(StringComparer.Ordinal)];

    /// <summary>An assurance value, or one that implies it, in <c>eduperson_assurance</c>.</summary>
    private sealed class HasAssurance : Requirement
    {
        private readonly string[] _metBy;
        private readonly CheckResult[] _met;
        private readonly string _required;
        private readonly CheckResult _notAvailable;
        private readonly CheckResult _unmatched;

        public HasAssurance(string required)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(required);
            _required = required;
            _metBy = MetBy(required);
            _met = [.. _metBy.Select(candidate => new CheckResult(true, candidate == required
                ? $"User has assurance '{required}'"
                : $"User's assurance '{candidate}' implies '{required}'"))];
            _notAvailable = new CheckResult(false, $"Claim '{AssuranceClaim}' is not available");
            _unmatched = new CheckResult(false, $"User has no assurance '{required}' (nor a value implying it) in '{AssuranceClaim}'");
        }

        public override CheckResult IsSatisfiedBy(UserInfos userInfos)
        {
            ArgumentNullException.ThrowIfNull(userInfos);
            if (!userInfos.TryGetClaim(AssuranceClaim, out var values) || values.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                return _notAvailable;
            }

            if (values.ValueKind == JsonValueKind.Array)
            {
                foreach (var value in values.EnumerateArray())
                {
                    if (Find(value) is { } result)
                    {
                        return result;
                    }
                }

                return _unmatched;
            }

            return Find(values) ?? _unmatched;
        }

        public override string ToString() => $"Assurance({_required})";

        private CheckResult? Find(JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            for (var i = 0; i < _metBy.Length; i++)
            {
                if (value.ValueEquals(_metBy[i]))
                {
                    return _met[i];
                }
            }

            return null;
        }
    }
}
