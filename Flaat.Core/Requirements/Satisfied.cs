namespace Flaat.Requirements;

/// <summary>Always satisfied (the <c>ANYONE</c> access level).</summary>
public sealed class Satisfied : Requirement
{
    private static readonly CheckResult Result = new(true, "Requirement is always satisfied");

    /// <inheritdoc />
    public override CheckResult IsSatisfiedBy(UserInfos userInfos) => Result;

    /// <summary>The requirement as text, for diagnostics.</summary>
    public override string ToString() => nameof(Satisfied);
}
