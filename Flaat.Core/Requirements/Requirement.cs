namespace Flaat.Requirements;

/// <summary>
/// Something a user must satisfy to use an endpoint. Requirements are pure functions of
/// <see cref="UserInfos"/> (a few, such as WLCG storage capabilities, also of the request: see
/// <see cref="IsSatisfiedBy(UserInfos, RequirementContext)"/>): they make no network calls and are
/// safe to share between threads.
/// </summary>
/// <remarks>
/// Combine requirements with <c>&amp;</c> (<see cref="AllOf"/>) and <c>|</c> (<see cref="OneOf"/>),
/// or build them with the <see cref="Require"/> factories.
/// </remarks>
public abstract class Requirement
{
    /// <summary>Checks the user against this requirement.</summary>
    /// <param name="userInfos">What is known about the user.</param>
    /// <returns>Whether the user satisfies it, and why (not).</returns>
    public abstract CheckResult IsSatisfiedBy(UserInfos userInfos);

    /// <summary>
    /// Checks the user against this requirement for one request. Most requirements do not look at the
    /// request and answer as <see cref="IsSatisfiedBy(UserInfos)"/> does (the default); those that do
    /// (WLCG and SciTokens capabilities on a path taken from the request) override this, and the
    /// meta requirements pass the request to their children. The evaluator calls this overload.
    /// </summary>
    /// <param name="userInfos">What is known about the user.</param>
    /// <param name="context">The request being judged; <see langword="default"/> when there is none.</param>
    /// <returns>Whether the user satisfies it for this request, and why (not).</returns>
    public virtual CheckResult IsSatisfiedBy(UserInfos userInfos, RequirementContext context) => IsSatisfiedBy(userInfos);

    /// <summary>
    /// A requirement built by <paramref name="factory"/> each time it is checked (flaat's lazy
    /// requirements), for requirements that depend on settings only known later.
    /// </summary>
    /// <param name="factory">Builds the requirement; must not return <see langword="null"/>.</param>
    /// <returns>A requirement that delegates to the factory's requirement.</returns>
    public static Requirement Lazy(Func<Requirement> factory) => new LazyRequirement(factory);

    /// <summary>Both requirements: an <see cref="AllOf"/>, flattened when either side already is a non-empty one.</summary>
    /// <param name="left">The first requirement.</param>
    /// <param name="right">The second requirement.</param>
    public static Requirement operator &(Requirement left, Requirement right) => And(left, right);

    /// <summary>Either requirement: a <see cref="OneOf"/>, flattened when either side already is a non-empty one.</summary>
    /// <param name="left">The first requirement.</param>
    /// <param name="right">The second requirement.</param>
    public static Requirement operator |(Requirement left, Requirement right) => Or(left, right);

    /// <summary>Both requirements (the named form of <c>&amp;</c>).</summary>
    /// <param name="left">The first requirement.</param>
    /// <param name="right">The second requirement.</param>
    /// <returns>An <see cref="AllOf"/> of both, nested <see cref="AllOf"/>s flattened.</returns>
    public static AllOf And(Requirement left, Requirement right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new AllOf(RequirementList.Concat(left is AllOf l ? l.List : null, left, right is AllOf r ? r.List : null, right));
    }

    /// <summary>Either requirement (the named form of <c>|</c>).</summary>
    /// <param name="left">The first requirement.</param>
    /// <param name="right">The second requirement.</param>
    /// <returns>A <see cref="OneOf"/> of both, nested <see cref="OneOf"/>s flattened.</returns>
    public static OneOf Or(Requirement left, Requirement right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return new OneOf(RequirementList.Concat(left is OneOf l ? l.List : null, left, right is OneOf r ? r.List : null, right));
    }
}
