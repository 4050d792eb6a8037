using System.Buffers;
using System.Globalization;

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
    /// Checks the children until <paramref name="count"/> are satisfied (then returns
    /// <paramref name="satisfied"/>, allocating nothing); otherwise fails with the failed children's
    /// results as details and <paramref name="failedMessage"/>, or flaat's N_Of message when it is
    /// <see langword="null"/>.
    /// </summary>
    public static CheckResult Evaluate(Requirement[] children, UserInfos userInfos, in RequirementContext context, int count, CheckResult satisfied, string? failedMessage)
    {
        if (children.Length == 0)
        {
            return NoChildren;
        }

        // Failures are gathered in a pooled buffer: a OneOf whose first children fail but a later
        // one passes must not allocate.
        CheckResult[]? failed = null;
        var failedCount = 0;
        var satisfiedCount = 0;
        try
        {
            foreach (var child in children)
            {
                var result = child.IsSatisfiedBy(userInfos, context);
                if (result.IsSatisfied)
                {
                    if (++satisfiedCount >= count)
                    {
                        return satisfied;
                    }
                }
                else
                {
                    failed ??= ArrayPool<CheckResult>.Shared.Rent(children.Length);
                    failed[failedCount++] = result;
                }
            }

            return new CheckResult(
                false,
                failedMessage ?? string.Create(CultureInfo.InvariantCulture, $"Only {satisfiedCount} of {count} sub-requirements were satisfied"),
                failed is null ? [] : failed.AsSpan(0, failedCount).ToArray());
        }
        finally
        {
            if (failed is not null)
            {
                ArrayPool<CheckResult>.Shared.Return(failed, clearArray: true);
            }
        }
    }

    /// <summary>Diagnostic text: <c>Name(child, child)</c>.</summary>
    public static string Describe(string opening, Requirement[] children) =>
        opening + string.Join(", ", (IEnumerable<Requirement>)children) + ")";
}
