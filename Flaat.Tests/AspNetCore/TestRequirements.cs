using Flaat.Requirements;

namespace Flaat.Tests.AspNetCore;

/// <summary>A claim-contains requirement for adapter tests, independent of the core's factories.</summary>
internal sealed class ClaimContains(string claim, string value) : Requirement
{
    public override CheckResult IsSatisfiedBy(UserInfos userInfos) =>
        userInfos.GetStrings(claim).Contains(value, StringComparer.Ordinal)
            ? new CheckResult(true, $"Claim '{claim}' contains '{value}'")
            : new CheckResult(false, $"Claim '{claim}' does not contain '{value}'");
}
