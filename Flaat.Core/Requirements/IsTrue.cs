namespace Flaat.Requirements;

/// <summary>Satisfied when a predicate of the user infos is true.</summary>
public sealed class IsTrue : Requirement
{
    private readonly Func<UserInfos, bool> _predicate;
    private readonly CheckResult _true;
    private readonly CheckResult _false;

    /// <summary>Creates the requirement.</summary>
    /// <param name="predicate">Decides whether the user satisfies the requirement; must be thread-safe.</param>
    /// <param name="name">What the predicate checks, for messages (<c>Evaluation of: name</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public IsTrue(Func<UserInfos, bool> predicate, string name)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _predicate = predicate;
        Name = name;
        var message = "Evaluation of: " + name;
        _true = new CheckResult(true, message);
        _false = new CheckResult(false, message);
    }

    /// <summary>What the predicate checks.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override CheckResult IsSatisfiedBy(UserInfos userInfos) => _predicate(userInfos) ? _true : _false;

    /// <summary>The requirement as text, for diagnostics.</summary>
    public override string ToString() => $"IsTrue({Name})";
}
