using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

public sealed class AccessLevelTests
{
    [Test]
    public void Defaults_AreAnyoneNoOneIdentified()
    {
        Assert.Multiple(() =>
        {
            Assert.That(AccessLevel.Defaults.Select(l => l.Name), Is.EqualTo(new[] { "ANYONE", "NOONE", "IDENTIFIED" }));
            Assert.That(AccessLevel.Anyone.Requirement.IsSatisfiedBy(Users.Anonymous).IsSatisfied, Is.True);
            Assert.That(AccessLevel.NoOne.Requirement.IsSatisfiedBy(Users.Alice()).IsSatisfied, Is.False);
            Assert.That(AccessLevel.Identified.Requirement.IsSatisfiedBy(Users.Alice()).IsSatisfied, Is.True);
            Assert.That(AccessLevel.Identified.Requirement.IsSatisfiedBy(Users.Anonymous).IsSatisfied, Is.False);
        });
    }

    [Test]
    public void Constructor_EmptyName_Throws()
    {
        Assert.That(() => new AccessLevel("", new Satisfied()), Throws.ArgumentException);
    }

    [Test]
    public void Create_Claim_AllByDefault()
    {
        var level = AccessLevel.Create("admins", new AccessLevelOptions { Kind = "claim", Claim = "groups", Values = { "a", "b" } });

        Assert.Multiple(() =>
        {
            Assert.That(level.Name, Is.EqualTo("admins"));
            Assert.That(level.Requirement, Is.InstanceOf<AllOf>());
            Assert.That(level.Requirement.IsSatisfiedBy(Users.Alice("\"groups\":[\"a\",\"b\"]")).IsSatisfied, Is.True);
            Assert.That(level.Requirement.IsSatisfiedBy(Users.Alice("\"groups\":[\"a\"]")).IsSatisfied, Is.False);
        });
    }

    [TestCase("one", true)]
    [TestCase("ONE", true)]
    [TestCase("1", true)]
    [TestCase("2", false)]
    [TestCase("all", false)]
    public void Create_ClaimWithMatch_HonoursIt(string match, bool expected)
    {
        var level = AccessLevel.Create("l", new AccessLevelOptions { Kind = "claim", Claim = "groups", Values = { "a", "b", "c" }, Match = match });

        Assert.That(level.Requirement.IsSatisfiedBy(Users.Alice("\"groups\":[\"b\"]")).IsSatisfied, Is.EqualTo(expected));
    }

    [Test]
    public void Create_Audience_OneOfByDefault()
    {
        var level = AccessLevel.Create("api", new AccessLevelOptions { Kind = "audience", Values = { "x", "api" } });

        Assert.That(level.Requirement.IsSatisfiedBy(Users.Alice("\"aud\":\"api\"")).IsSatisfied, Is.True);
    }

    [Test]
    public void Create_Audience_UsesIssuerPredicate()
    {
        var level = AccessLevel.Create("api", new AccessLevelOptions { Kind = "audience", Values = { "api" } }, _ => false);

        var result = level.Requirement.IsSatisfiedBy(Users.Alice("\"aud\":\"other\""));

        Assert.That(result.Message, Is.EqualTo(HasAudience.IgnoredMessage));
    }

    [Test]
    public void Create_Authenticated_IsHasSubIss()
    {
        var level = AccessLevel.Create("users", new AccessLevelOptions { Kind = "Authenticated" });

        Assert.That(level.Requirement, Is.InstanceOf<HasSubIss>());
    }

    [Test]
    public void Create_Scope_DefaultClaimIsScope()
    {
        var level = AccessLevel.Create("readers", new AccessLevelOptions { Kind = "scope", Values = { "read" } });

        Assert.That(level.Requirement.IsSatisfiedBy(Users.Alice("\"scope\":\"openid read\"")).IsSatisfied, Is.True);
    }

    [Test]
    public void Create_ScopeWithOtherClaim_UsesIt()
    {
        var level = AccessLevel.Create("readers", new AccessLevelOptions { Kind = "scope", Claim = "scp", Values = { "read" } });

        Assert.That(level.Requirement.IsSatisfiedBy(Users.Alice("\"scp\":\"read\"")).IsSatisfied, Is.True);
    }

    [TestCase("magic", null, new[] { "x" }, null, "Flaat:AccessLevels:lvl:Kind must be")]
    [TestCase("claim", null, new[] { "x" }, null, "Flaat:AccessLevels:lvl:Claim must name the claim")]
    [TestCase("claim", " ", new[] { "x" }, null, "Flaat:AccessLevels:lvl:Claim must name the claim")]
    [TestCase("claim", "groups", new string[0], null, "Flaat:AccessLevels:lvl:Values must list at least one value")]
    [TestCase("claim", "groups", new[] { "x" }, "most", "Flaat:AccessLevels:lvl:Match must be 'all', 'one' or a positive number, got 'most'")]
    [TestCase("claim", "groups", new[] { "x" }, "0", "Flaat:AccessLevels:lvl:Match must be")]
    [TestCase("claim", "groups", new[] { "x", "y" }, "3", "Flaat:AccessLevels:lvl:Match asks for at least 3 values but Values lists only 2")]
    [TestCase("audience", null, new string[0], null, "Flaat:AccessLevels:lvl:Values must list at least one value")]
    [TestCase("audience", "aud", new[] { "x" }, null, "Flaat:AccessLevels:lvl:Claim is not used by kind 'audience'")]
    [TestCase("authenticated", null, new[] { "x" }, null, "Flaat:AccessLevels:lvl:Values must be empty for kind 'authenticated'")]
    [TestCase("scope", null, new[] { "two words" }, null, "Flaat:AccessLevels:lvl:Values: A scope must be one non-empty word, got 'two words'")]
    [TestCase("scope", "", new[] { "read" }, null, "Flaat:AccessLevels:lvl:Claim must not be empty")]
    public void Create_InvalidSetting_ThrowsNamingIt(string kind, string? claim, string[] values, string? match, string expected)
    {
        var options = new AccessLevelOptions { Kind = kind, Claim = claim, Values = values.ToList(), Match = match };

        Assert.That(() => AccessLevel.Create("lvl", options), Throws.ArgumentException.With.Message.Contains(expected));
    }

    [Test]
    public void Create_NullValue_ThrowsNamingItsIndex()
    {
        var options = new AccessLevelOptions { Kind = "claim", Claim = "c", Values = ["a", null!] };

        Assert.That(() => AccessLevel.Create("lvl", options), Throws.ArgumentException.With.Message.Contains("Flaat:AccessLevels:lvl:Values:1 is null"));
    }

    [Test]
    public void CreateAll_DefaultsAndConfiguredLevels()
    {
        var options = new FlaatAccessOptions
        {
            AccessLevels =
            {
                ["admins"] = new AccessLevelOptions { Kind = "claim", Claim = "groups", Values = { "admins" } },
                ["IDENTIFIED"] = new AccessLevelOptions { Kind = "claim", Claim = "email_verified", Values = { "true" } },
            },
        };

        var levels = AccessLevel.CreateAll(options);

        Assert.Multiple(() =>
        {
            Assert.That(levels.Keys, Is.EquivalentTo(new[] { "ANYONE", "NOONE", "IDENTIFIED", "admins" }));
            Assert.That(levels["ANYONE"], Is.SameAs(AccessLevel.Anyone));
            Assert.That(levels["IDENTIFIED"].Requirement, Is.InstanceOf<HasClaim>());
            Assert.That(levels["admins"].Requirement.IsSatisfiedBy(Users.Alice("\"groups\":\"admins\"")).IsSatisfied, Is.True);
        });
    }

    [Test]
    public void CreateAll_AudienceLevels_HonourIssuerSupportsAudience()
    {
        var options = new FlaatOptions
        {
            Issuers = { new IssuerOptions { Issuer = "https://op.example/", SupportsAudience = false } },
        };
        var access = new FlaatAccessOptions { AccessLevels = { ["api"] = new AccessLevelOptions { Kind = "audience", Values = { "api" } } } };

        var result = AccessLevel.CreateAll(access, Require.IssuerSupportsAudience(options))["api"].Requirement.IsSatisfiedBy(Users.Alice());

        Assert.That(result.Message, Is.EqualTo(HasAudience.IgnoredMessage));
    }

    [Test]
    public void CreateAll_SeveralInvalidLevels_ReportsEveryProblem()
    {
        var options = new FlaatAccessOptions
        {
            AccessLevels =
            {
                ["a"] = new AccessLevelOptions { Kind = "claim", Values = { "x" }, Match = "many" },
                ["b"] = new AccessLevelOptions { Kind = "nothing" },
                ["good"] = new AccessLevelOptions { Kind = "authenticated" },
            },
        };

        var exception = Assert.Throws<ArgumentException>(() => AccessLevel.CreateAll(options));

        Assert.That(exception!.Message.Split(Environment.NewLine), Has.Some.StartsWith("Flaat:AccessLevels:a:Match")
            .And.Some.StartsWith("Flaat:AccessLevels:a:Claim")
            .And.Some.StartsWith("Flaat:AccessLevels:b:Kind"));
        Assert.That(exception.Message, Does.Not.Contain(":good"));
        Assert.That(AccessLevel.Validate(options), Has.Count.EqualTo(3).And.All.StartsWith("Flaat:AccessLevels:").And.Some.StartsWith("Flaat:AccessLevels:b:Kind"));
    }

    [Test]
    public void Validate_ValidLevels_ReturnsNoProblems()
    {
        var options = new FlaatAccessOptions { AccessLevels = { ["ops"] = new AccessLevelOptions { Kind = "claim", Claim = "groups", Values = { "ops" } } } };

        Assert.That(AccessLevel.Validate(options), Is.Empty);
    }

    [Test]
    public void CreateAll_NamesDifferingInCase_AreOneLevelAndConfigurationWins()
    {
        var options = new FlaatAccessOptions
        {
            DefinedInCode = { ["Admin"] = new Unsatisfiable(), ["Ops"] = new Satisfied() },
            AccessLevels = { ["ADMIN"] = new AccessLevelOptions { Kind = "authenticated" } },
        };

        var levels = AccessLevel.CreateAll(options);

        Assert.Multiple(() =>
        {
            Assert.That(levels["admin"].Requirement, Is.InstanceOf<HasSubIss>());
            Assert.That(levels["OPS"].Requirement, Is.InstanceOf<Satisfied>());
            Assert.That(levels["anyone"], Is.SameAs(AccessLevel.Anyone));
            Assert.That(levels.Keys.Count(key => key.Equals("admin", StringComparison.OrdinalIgnoreCase)), Is.EqualTo(1));
        });
    }
}
