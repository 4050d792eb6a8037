namespace Flaat.Requirements;

/// <summary>Never satisfied (the <c>NOONE</c> access level).</summary>
public sealed class Unsatisfiable : Requirement
{
    private static readonly CheckResult Result = new(false, "Requirement is unsatisfiable");

    /// <inheritdoc />
    public override CheckResult IsSatisfiedBy(UserInfos userInfos) => Result;

    /// <summary>The requirement as text, for diagnostics.</summary>
    public override string ToString() => nameof(Unsatisfiable);
}
