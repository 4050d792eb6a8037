using System.Diagnostics.CodeAnalysis;

namespace Flaat.Requirements;

/// <summary>
/// Reads from an adapter's request object what request-dependent requirements need (route
/// values). Flaat.AspNetCore supplies one for <c>HttpContext</c>; the evaluator gets it from
/// <c>FlaatPolicy.RequestValues</c>.
/// </summary>
public interface IFlaatRequestValues
{
    /// <summary>A route value of the request, as text.</summary>
    /// <param name="request">The adapter's request object.</param>
    /// <param name="name">The route parameter's name, e.g. <c>path</c> for <c>{**path}</c>.</param>
    /// <returns>The value; <see langword="null"/> when the request has none of that name (or is of a kind this reader does not know).</returns>
    string? GetRouteValue(object request, string name);
}

/// <summary>
/// The request a requirement is checked for: the adapter's request object (<c>HttpContext</c>,
/// <c>ServerCallContext</c>, or what a direct caller of the evaluator passes) and how to read its
/// route values. A small struct passed by value: requirements that do not read it cost nothing.
/// <see langword="default"/> means "no request": request-dependent requirements then fail closed.
/// </summary>
public readonly struct RequirementContext
{
    private readonly IFlaatRequestValues? _values;

    /// <summary>Creates the context.</summary>
    /// <param name="request">The adapter's request object.</param>
    /// <param name="values">Reads route values from <paramref name="request"/>; none when <see langword="null"/>.</param>
    public RequirementContext(object? request, IFlaatRequestValues? values = null)
    {
        Request = request;
        _values = values;
    }

    /// <summary>The adapter's request object; <see langword="null"/> when the check is not for a request.</summary>
    public object? Request { get; }

    /// <summary>A route value of the request.</summary>
    /// <param name="name">The route parameter's name.</param>
    /// <param name="value">The value, when there is one.</param>
    /// <returns>Whether the request has that route value.</returns>
    public bool TryGetRouteValue(string name, [NotNullWhen(true)] out string? value)
    {
        ArgumentNullException.ThrowIfNull(name);
        value = Request is { } request && _values is { } values ? values.GetRouteValue(request, name) : null;
        return value is not null;
    }
}

/// <summary>
/// The base of requirements that judge the request as well as the user. Checked without a request
/// (<see cref="IsSatisfiedBy(UserInfos)"/>) they fail closed.
/// </summary>
internal abstract class RequestDependentRequirement : Requirement
{
    public sealed override CheckResult IsSatisfiedBy(UserInfos userInfos) => IsSatisfiedBy(userInfos, default);

    public abstract override CheckResult IsSatisfiedBy(UserInfos userInfos, RequirementContext context);
}
