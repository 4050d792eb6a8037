using System.Globalization;

namespace Flaat.Requirements;

/// <summary>
/// Satisfied when at least <see cref="Count"/> sub-requirements are satisfied (flaat's <c>N_Of</c>);
/// never satisfied without sub-requirements. When not satisfied, the result's details are the
/// failed sub-requirements' results.
/// </summary>
public sealed class NOf : Requirement
{
    private readonly Requirement[] _children;
    private readonly CheckResult _satisfied;

    /// <summary>Creates the requirement.</summary>
    /// <param name="count">How many sub-requirements must be satisfied, at least 1.</param>
    /// <param name="children">The sub-requirements; use <see cref="Requirement.Lazy"/> for ones built at evaluation.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">A sub-requirement is <see langword="null"/>.</exception>
    public NOf(int count, params IEnumerable<Requirement> children)
        : this(count, RequirementList.From(children, nameof(children)))
    {
    }

    internal NOf(int count, Requirement[] children)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Count = count;
        _children = children;
        Children = Array.AsReadOnly(children);
        _satisfied = new CheckResult(true, SatisfiedMessage(count));
    }

    /// <summary>How many sub-requirements must be satisfied.</summary>
    public int Count { get; }

    /// <summary>The sub-requirements.</summary>
    public IReadOnlyList<Requirement> Children { get; }

    /// <inheritdoc />
    public override CheckResult IsSatisfiedBy(UserInfos userInfos) => IsSatisfiedBy(userInfos, default);

    /// <inheritdoc />
    public override CheckResult IsSatisfiedBy(UserInfos userInfos, RequirementContext context) =>
        RequirementList.Evaluate(_children, userInfos, context, Count, _satisfied, failedMessage: null);

    /// <summary>The message of a satisfied check; evaluation stops once <paramref name="count"/> are satisfied.</summary>
    internal static string SatisfiedMessage(int count) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} of {count} sub-requirements are satisfied");

    /// <summary>The requirement as text, for diagnostics.</summary>
    public override string ToString() => RequirementList.Describe(string.Create(CultureInfo.InvariantCulture, $"NOf({Count}; "), _children);
}
