using System.Text.Json;

namespace Flaat.Requirements;

/// <summary>
/// The base of the requirements on one claim's value (<see cref="HasClaim"/>, <see cref="HasAudience"/>,
/// <see cref="HasScope"/>, ...). A missing or <c>null</c> claim is never satisfied; a list claim is
/// satisfied when any of its elements matches; any other claim when its value matches.
/// </summary>
/// <remarks>Checks allocate nothing: their results are built once, with the requirement.</remarks>
public abstract class ClaimRequirement : Requirement
{
    private readonly CheckResult _notAvailable;
    private readonly CheckResult _matched;
    private readonly CheckResult _unmatched;

    private protected ClaimRequirement(string required, string claim, string? matchedMessage = null, string? unmatchedMessage = null)
    {
        ArgumentNullException.ThrowIfNull(required);
        ValidateClaimName(claim, nameof(claim));
        Required = required;
        Claim = claim;
        _notAvailable = new CheckResult(false, $"Claim '{claim}' is not available");
        _matched = new CheckResult(true, matchedMessage ?? $"Match for the required value '{required}' of claim '{claim}'");
        _unmatched = new CheckResult(false, unmatchedMessage ?? $"User has no claim '{claim}' with value: '{required}'");
    }

    /// <summary>The required value.</summary>
    public string Required { get; }

    /// <summary>The name of the claim that must hold <see cref="Required"/>.</summary>
    public string Claim { get; }

    /// <inheritdoc />
    public override CheckResult IsSatisfiedBy(UserInfos userInfos)
    {
        ArgumentNullException.ThrowIfNull(userInfos);
        if (!userInfos.TryGetClaim(Claim, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return _notAvailable;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                if (Matches(item))
                {
                    return _matched;
                }
            }

            return _unmatched;
        }

        return Matches(value) ? _matched : _unmatched;
    }

    /// <summary>Throws when a claim name is null, empty or white space.</summary>
    internal static void ValidateClaimName(string? claim, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(claim, parameterName);
        if (string.IsNullOrWhiteSpace(claim))
        {
            throw new ArgumentException("The claim name must not be empty.", parameterName);
        }
    }

    /// <summary>Whether one value (a list claim's element, or the claim itself) matches <see cref="Required"/>.</summary>
    private protected abstract bool Matches(JsonElement value);

    /// <summary>The requirement's kind, claim and value, e.g. <c>HasClaim(groups: 'admins')</c>, for diagnostics.</summary>
    public override string ToString() => $"{GetType().Name}({Claim}: '{Required}')";
}
