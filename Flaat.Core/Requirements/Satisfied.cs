namespace Flaat.Requirements;

/// <summary>Always satisfied (the <c>ANYONE</c> access level).</summary>
public sealed class Satisfied : Requirement
{
    private static readonly CheckResult Result = new(true, "Requirement is always satisfied");

    /// <inheritdoc />
    public override CheckResult IsSatisfiedBy(UserInfos userInfos) => Result;
}
