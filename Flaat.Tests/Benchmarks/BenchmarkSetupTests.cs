using Flaat.Benchmarks;

namespace Flaat.Tests.Benchmarks;

/// <summary>
/// Smoke tests of benchmarks/Flaat.Benchmarks: each benchmark's set-up works and its body does
/// what its name says, once (no timing; the benchmarks themselves are not part of the test run).
/// </summary>
public sealed class BenchmarkSetupTests
{
    [Test]
    public async Task CachedPathBenchmarks_Setup_BothSidesAcceptTheSameToken()
    {
        // Arrange
        var benchmarks = new CachedPathBenchmarks();
        try
        {
            benchmarks.Setup();

            // Act
            var flaat = await benchmarks.FlaatEvaluateCached();
            var fromHeader = await benchmarks.FlaatEvaluateCachedFromHeader();
            var authenticated = await benchmarks.FlaatAuthenticateCached();
            var jwtBearer = await benchmarks.JsonWebTokenHandlerValidate();

            // Assert
            Assert.Multiple(() =>
            {
                Assert.That(benchmarks.Token, Has.Length.InRange(650, 800), "a token of about 700 characters");
                Assert.That(flaat.IsAllowed, Is.True);
                Assert.That(fromHeader.IsAllowed, Is.True);
                Assert.That(authenticated.Succeeded, Is.True);
                Assert.That(jwtBearer.IsValid, Is.True, jwtBearer.Exception?.Message);
            });
        }
        finally
        {
            benchmarks.Dispose();
        }
    }

    [Test]
    public async Task FirstRequestBenchmarks_EveryCall_IsACacheMissAnsweredByTheOp()
    {
        // Arrange
        var benchmarks = new FirstRequestBenchmarks { TokenCount = 8 };
        try
        {
            benchmarks.Setup();
            var callsBefore = benchmarks.UserInfoCalls;

            // Act: one more call than there are tokens, so the first token comes back after eviction.
            var outcomes = new List<bool>();
            for (var i = 0; i < 9; i++)
            {
                outcomes.Add((await benchmarks.FlaatEvaluateNewToken()).IsAllowed);
            }

            // Assert
            Assert.That(outcomes, Is.All.True);
            Assert.That(benchmarks.UserInfoCalls - callsBefore, Is.EqualTo(9));
        }
        finally
        {
            benchmarks.Dispose();
        }
    }

    [Test]
    public void RequirementBenchmarks_Bodies_GiveTheExpectedVerdicts()
    {
        // Arrange
        var benchmarks = new RequirementBenchmarks();
        try
        {
            benchmarks.Setup();

            // Act + Assert
            Assert.Multiple(() =>
            {
                Assert.That(benchmarks.EntitlementSatisfied(), Is.True);
                Assert.That(benchmarks.EntitlementMissing(), Is.False);
                Assert.That(benchmarks.EntitlementClaimAbsent(), Is.False);
                Assert.That(benchmarks.ClaimSatisfied(), Is.True);
                Assert.That(benchmarks.CombinedSatisfied(), Is.True);
                Assert.That(benchmarks.MissingRendered(), Does.Contain("eduperson_entitlement"));
            });
        }
        finally
        {
            benchmarks.Dispose();
        }
    }

    [Test]
    public async Task HttpPipelineBenchmarks_Setup_EveryEndpointAnswersOk()
    {
        // Arrange: the set-up itself checks that every endpoint answers 200 with the token.
        var benchmarks = new HttpPipelineBenchmarks();
        try
        {
            benchmarks.Setup();

            // Act
            var statuses = new[] { await benchmarks.None(), await benchmarks.NoneBasic(), await benchmarks.Flaat(), await benchmarks.JwtBearer() };

            // Assert
            Assert.That(statuses, Is.All.EqualTo(200));
        }
        finally
        {
            await benchmarks.DisposeAsync();
        }
    }

    [Test]
    public void AarcBenchmarks_Bodies_ParseAndMatch()
    {
        // Arrange
        var benchmarks = new AarcBenchmarks();

        // Act + Assert
        Assert.Multiple(() =>
        {
            Assert.That(benchmarks.ParseSimple().Group, Is.EqualTo("m-team"));
            Assert.That(benchmarks.ParseNested().Subgroups, Is.EqualTo(new[] { "feudal-developers" }));
            Assert.That(benchmarks.ParseEscaped().Role, Is.EqualTo("vm%20operator"), "roles are kept as written");
            Assert.That(benchmarks.TryParseInvalid(), Is.False);
            Assert.That(benchmarks.Satisfies(), Is.True);
        });
    }
}
