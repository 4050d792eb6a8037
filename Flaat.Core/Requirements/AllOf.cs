namespace Flaat.Requirements;

/// <summary>
/// Satisfied when every sub-requirement is satisfied; never satisfied without sub-requirements.
/// When not satisfied, the result's details are the failed sub-requirements' results.
/// </summary>
public sealed class AllOf : Requirement
{
    /// <summary>The message of a failed check.</summary>
    public const string UnsatisfiedMessage = "AllOf: Unsatisfied sub-requirements";

    private static readonly CheckResult AllSatisfied = new(true, "All sub-requirements are satisfied");

    /// <summary>Creates the requirement.</summary>
    /// <param name="children">The sub-requirements; use <see cref="Requirement.Lazy"/> for ones built at evaluation.</param>
    /// <exception cref="ArgumentException">A sub-requirement is <see langword="null"/>.</exception>
    public AllOf(params IEnumerable<Requirement> children)
        : this(RequirementList.From(children, nameof(children)))
    {
    }

    internal AllOf(Requirement[] children)
    {
        List = children;
        Children = Array.AsReadOnly(children);
    }

    /// <summary>The sub-requirements.</summary>
    public IReadOnlyList<Requirement> Children { get; }

    internal Requirement[] List { get; }

    /// <inheritdoc />
    public override CheckResult IsSatisfiedBy(UserInfos userInfos) => IsSatisfiedBy(userInfos, default);

    /// <inheritdoc />
    public override CheckResult IsSatisfiedBy(UserInfos userInfos, RequirementContext context) =>
        RequirementList.Evaluate(List, userInfos, context, List.Length, AllSatisfied, UnsatisfiedMessage);

    /// <summary>The requirement as text, for diagnostics.</summary>
    public override string ToString() => RequirementList.Describe("AllOf(", List);
}
