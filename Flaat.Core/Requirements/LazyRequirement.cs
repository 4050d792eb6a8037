namespace Flaat.Requirements;

/// <summary>A requirement resolved from a factory each time it is checked.</summary>
internal sealed class LazyRequirement : Requirement
{
    private readonly Func<Requirement> _factory;

    public LazyRequirement(Func<Requirement> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _factory = factory;
    }

    public Requirement Resolve() =>
        _factory() ?? throw new InvalidOperationException("A lazy requirement's factory returned null; it must return a requirement.");

    public override CheckResult IsSatisfiedBy(UserInfos userInfos) => Resolve().IsSatisfiedBy(userInfos);

    public override CheckResult IsSatisfiedBy(UserInfos userInfos, RequirementContext context) => Resolve().IsSatisfiedBy(userInfos, context);

    public override string ToString() => "Lazy";
}
