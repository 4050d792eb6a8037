using BenchmarkDotNet.Attributes;
using Flaat.Evaluation;
using Flaat.Requirements;

namespace Flaat.Benchmarks;

/// <summary>Requirement checks alone, on the user infos of the benchmark token (userinfo with four AARC entitlements).</summary>
public class RequirementBenchmarks : IDisposable
{
    private readonly Requirement _entitlement = Require.Vo(InProcessOpenIdProvider.RequiredEntitlement);
    private readonly Requirement _missingEntitlement = Require.Vo("urn:geant:h-df.de:group:m-team:other#login.helmholtz.de");
    private readonly Requirement _plainGroup = Require.Vo("urn:geant:h-df.de:group:wlcg-test#login.helmholtz.de", "groups");
    private readonly Requirement _email = Require.Claim("bench.user@example.org", "email");
    private readonly Requirement _combined =
        Require.Vo(InProcessOpenIdProvider.RequiredEntitlement) & Require.Audience(InProcessOpenIdProvider.Audience) & Require.Scope("email");

    private FlaatFixture _fixture = null!;
    private UserInfos _user = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new FlaatFixture();
        var outcome = _fixture.Evaluator.EvaluateAsync(BearerToken.FromToken(_fixture.Token), FlaatPolicy.Authenticated).AsTask().GetAwaiter().GetResult();
        _user = outcome.UserInfos ?? throw new InvalidOperationException($"Flaat refused the benchmark token: {outcome.Error?.Description}");
        Check.That(_entitlement.IsSatisfiedBy(_user).IsSatisfied && _combined.IsSatisfiedBy(_user).IsSatisfied, "The user must satisfy the requirements");
        Check.That(!_missingEntitlement.IsSatisfiedBy(_user).IsSatisfied, "The user must not have the missing entitlement");
    }

    [Benchmark(Description = "HasAarcEntitlement, held through a subgroup")]
    public bool EntitlementSatisfied() => _entitlement.IsSatisfiedBy(_user).IsSatisfied;

    [Benchmark(Description = "HasAarcEntitlement, not held")]
    public bool EntitlementMissing() => _missingEntitlement.IsSatisfiedBy(_user).IsSatisfied;

    [Benchmark(Description = "HasAarcEntitlement, claim absent")]
    public bool EntitlementClaimAbsent() => _plainGroup.IsSatisfiedBy(_user).IsSatisfied;

    [Benchmark(Description = "HasClaim email")]
    public bool ClaimSatisfied() => _email.IsSatisfiedBy(_user).IsSatisfied;

    [Benchmark(Description = "entitlement & audience & scope")]
    public bool CombinedSatisfied() => _combined.IsSatisfiedBy(_user).IsSatisfied;

    [Benchmark(Description = "entitlement not held, failure rendered")]
    public string MissingRendered() => _missingEntitlement.IsSatisfiedBy(_user).Render().ToJsonString();

    [GlobalCleanup]
    public void Dispose()
    {
        _fixture?.Dispose();
        GC.SuppressFinalize(this);
    }
}
