using Flaat.Requirements;

namespace Flaat.AspNetCore;

/// <summary>Combines the requirements an endpoint collects from its metadata.</summary>
internal static class FlaatRequirementComposition
{
    /// <summary>All of the requirements: none → <see langword="null"/>, one → itself.</summary>
    public static Requirement? AllOf(IReadOnlyList<Requirement> requirements) => requirements.Count switch
    {
        0 => null,
        1 => requirements[0],
        _ => new AllOfEndpointRequirements(requirements.ToArray()),
    };

    // Until the core's AllOf lands on main: same semantics and messages (flaat's AllOf).
    private sealed class AllOfEndpointRequirements(Requirement[] children) : Requirement
    {
        public override CheckResult IsSatisfiedBy(UserInfos userInfos)
        {
            List<CheckResult>? failed = null;
            foreach (var child in children)
            {
                var check = child.IsSatisfiedBy(userInfos);
                if (!check.IsSatisfied)
                {
                    (failed ??= []).Add(check);
                }
            }

            return failed is null
                ? new CheckResult(true, "AllOf: All sub-requirements are satisfied")
                : new CheckResult(false, "AllOf: Unsatisfied sub-requirements", failed);
        }
    }
}
