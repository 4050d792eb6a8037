using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

/// <summary>The research profiles' configuration kinds of access levels, and the request seam's cost.</summary>
public sealed class ProfileAccessLevelTests
{
    private static AccessLevel Create(string kind, string? match = null, string? claim = null, params string[] values) =>
        AccessLevel.Create("level", new AccessLevelOptions { Kind = kind, Values = values, Match = match, Claim = claim });

    [Test]
    public void Capability_Kind_BuildsStorageRequirementFromTheProfilesSyntax()
    {
        var level = Create("capability", values: "storage.read:/data/{**path}");
        var user = WlcgCapabilityTests.Token("storage.read:/data/run1");

        Assert.Multiple(() =>
        {
            Assert.That(level.Requirement.IsSatisfiedBy(user, WlcgCapabilityTests.Path("run1/f")).IsSatisfied, Is.True);
            Assert.That(level.Requirement.IsSatisfiedBy(user, WlcgCapabilityTests.Path("run10/f")).IsSatisfied, Is.False);
        });
    }

    [Test]
    public void WlcgGroupAssuranceAcr_Kinds_DefaultMatches()
    {
        var user = Users.AliceToken("\"wlcg.ver\":\"1.0\",\"wlcg.groups\":[\"/vo\"],\"eduperson_assurance\":[\"https://refeds.org/assurance/IAP/high\"],\"acr\":\"mfa\"");

        Assert.Multiple(() =>
        {
            Assert.That(Create("wlcg-group", values: ["/vo", "/other"]).Requirement.IsSatisfiedBy(user).IsSatisfied, Is.False, "all by default");
            Assert.That(Create("wlcg-group", "one", null, "/vo", "/other").Requirement.IsSatisfiedBy(user).IsSatisfied, Is.True);
            Assert.That(Create("assurance", values: "https://refeds.org/assurance/IAP/medium").Requirement.IsSatisfiedBy(user).IsSatisfied, Is.True);
            Assert.That(Create("acr", values: ["sfa", "mfa"]).Requirement.IsSatisfiedBy(user).IsSatisfied, Is.True, "one by default");
            Assert.That(Create("ACR", values: "sfa").Requirement.IsSatisfiedBy(user).IsSatisfied, Is.False);
        });
    }

    [Test]
    public void Validate_InvalidProfileLevels_EveryProblemNamed()
    {
        var options = new FlaatAccessOptions();
        options.AccessLevels["cap"] = new AccessLevelOptions { Kind = "capability", Values = ["storage.read"] };
        options.AccessLevels["group"] = new AccessLevelOptions { Kind = "wlcg-group", Values = ["vo"], Claim = "groups" };
        options.AccessLevels["empty"] = new AccessLevelOptions { Kind = "assurance" };
        options.AccessLevels["kind"] = new AccessLevelOptions { Kind = "wlcg" };

        var errors = AccessLevel.Validate(options);

        Assert.That(errors, Has.Some.StartsWith("Flaat:AccessLevels:cap:Values: A WLCG capability is storage.read|create|modify|stage:/path"));
        Assert.That(errors, Has.Some.EqualTo("Flaat:AccessLevels:group:Claim is not used by kind 'wlcg-group'; remove it."));
        Assert.That(errors, Has.Some.EqualTo("Flaat:AccessLevels:empty:Values must list at least one value."));
        Assert.That(errors, Has.Some.Contains("'capability', 'wlcg-group', 'assurance' or 'acr', got 'wlcg'"));
    }

    [Test]
    public void RequestSeam_RequirementsThatIgnoreTheRequest_AllocateNothing()
    {
        var user = Users.AliceToken("\"groups\":[\"admins\"],\"scope\":\"storage.read:/ openid\"");
        var requirement = (new HasClaim("admins", "groups") & new HasScope("openid")) | new Unsatisfiable();
        var context = new RequirementContext(new object(), new WlcgCapabilityTests.FixedRouteValues("x"));
        for (var i = 0; i < 100; i++)
        {
            requirement.IsSatisfiedBy(user, context);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            requirement.IsSatisfiedBy(user, context);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
