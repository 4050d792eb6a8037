namespace Flaat.Requirements;

/// <summary>
/// Satisfied when at least one sub-requirement is satisfied (an <see cref="NOf"/> with a count of 1);
/// never satisfied without sub-requirements.
/// </summary>
public sealed class OneOf : Requirement
{
    private static readonly CheckResult OneSatisfied = new(true, NOf.SatisfiedMessage(1));

    /// <summary>Creates the requirement.</summary>
    /// <param name="children">The sub-requirements; use <see cref="Requirement.Lazy"/> for ones built at evaluation.</param>
    /// <exception cref="ArgumentException">A sub-requirement is <see langword="null"/>.</exception>
    public OneOf(params IEnumerable<Requirement> children)
        : this(RequirementList.From(children, nameof(children)))
    {
    }

    internal OneOf(Requirement[] children)
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
        RequirementList.Evaluate(List, userInfos, context, 1, OneSatisfied, failedMessage: null);

    /// <summary>The requirement as text, for diagnostics.</summary>
    public override string ToString() => RequirementList.Describe("OneOf(", List);
}
