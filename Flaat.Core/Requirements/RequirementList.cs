namespace Flaat.Requirements;

/// <summary>The shared evaluation of the meta requirements (<see cref="AllOf"/>, <see cref="NOf"/>, <see cref="OneOf"/>).</summary>
internal static class RequirementList
{
    public const string NoChildrenMessage = "No sub-requirements";

    public static readonly CheckResult NoChildren = new(false, NoChildrenMessage);

    public static Requirement[] From(IEnumerable<Requirement> children, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(children, parameterName);
        var array = children.ToArray();
        foreach (var child in array)
        {
            if (child is null)
            {
                throw new ArgumentException("A sub-requirement is null.", parameterName);
            }
        }

        return array;
    }

    /// <summary>
    /// The children of <c>left op right</c>: a side that already is a non-empty requirement of the
    /// same kind contributes its children (an empty one is unsatisfiable and must stay a child).
    /// </summary>
    public static Requirement[] Concat(Requirement[]? leftChildren, Requirement left, Requirement[]? rightChildren, Requirement right)
    {
        ReadOnlySpan<Requirement> l = leftChildren is { Length: > 0 } ? leftChildren : [left];
        ReadOnlySpan<Requirement> r = rightChildren is { Length: > 0 } ? rightChildren : [right];
        var result = new Requirement[l.Length + r.Length];
        l.CopyTo(result);
        r.CopyTo(result.AsSpan(l.Length));
        return result;
    }

    /// <summary>
    /// Checks every child; returns how many were satisfied and the failed results (null when none
    /// failed). Stops early once <paramref name="enough"/> children are satisfied.
    /// </summary>
    public static int Evaluate(Requirement[] children, UserInfos userInfos, int enough, out List<CheckResult>? failed)
    {
        failed = null;
        var satisfied = 0;
        foreach (var child in children)
        {
            var result = child.IsSatisfiedBy(userInfos);
            if (result.IsSatisfied)
            {
                if (++satisfied >= enough)
                {
                    return satisfied;
                }
            }
            else
            {
                (failed ??= new List<CheckResult>(children.Length)).Add(result);
            }
        }

        return satisfied;
    }
}
