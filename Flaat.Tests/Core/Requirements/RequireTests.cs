using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

public sealed class RequireTests
{
    [Test]
    public void Claim_SingleValue_IsOneLeaf()
    {
        var requirement = Require.Claim("admins", "groups");

        Assert.That(requirement, Is.InstanceOf<HasClaim>());
        Assert.That(((HasClaim)requirement).Required, Is.EqualTo("admins"));
    }

    [Test]
    public void Claim_ListMatchAll_IsAllOfLeaves()
    {
        var requirement = Require.Claim(["a", "b"], "groups");

        Assert.That(requirement, Is.InstanceOf<AllOf>());
        var children = ((AllOf)requirement).Children;
        Assert.That(children.Cast<HasClaim>().Select(c => (c.Required, c.Claim)), Is.EqualTo(new[] { ("a", "groups"), ("b", "groups") }));
    }

    [TestCase("all")]
    [TestCase("one")]
    public void Claim_ListOfOneValue_IsTheLeafAlone(string match)
    {
        var requirement = Require.Claim(["admins"], "groups", Match.Parse(match));

        Assert.That(requirement, Is.InstanceOf<HasClaim>());
        Assert.That(requirement.IsSatisfiedBy(Users.Alice("\"groups\":[\"users\"]")).Message, Is.EqualTo("User has no claim 'groups' with value: 'admins'"));
    }

    [Test]
    public void Claim_ListMatchOne_IsOneOf()
    {
        var requirement = Require.Claim(["a", "b"], "groups", Match.One);

        Assert.That(requirement, Is.InstanceOf<OneOf>());
        Assert.That(((OneOf)requirement).Children, Has.Count.EqualTo(2));
    }

    [Test]
    public void Claim_ListMatchAtLeast_IsNOf()
    {
        var requirement = Require.Claim(["a", "b", "c"], "groups", Match.AtLeast(2));

        Assert.That(requirement, Is.InstanceOf<NOf>());
        Assert.That(((NOf)requirement).Count, Is.EqualTo(2));
        Assert.That(((NOf)requirement).Children, Has.Count.EqualTo(3));
    }

    [TestCase("[\"a\",\"b\",\"c\"]", true, true, true)]
    [TestCase("[\"a\",\"c\"]", false, true, true)]
    [TestCase("[\"c\"]", false, false, true)]
    [TestCase("[\"x\"]", false, false, false)]
    public void Claim_MatchVariants_Evaluate(string groups, bool all, bool atLeastTwo, bool one)
    {
        var user = Users.Alice($"\"groups\":{groups}");
        string[] required = ["a", "b", "c"];

        Assert.Multiple(() =>
        {
            Assert.That(Require.Claim(required, "groups").IsSatisfiedBy(user).IsSatisfied, Is.EqualTo(all));
            Assert.That(Require.Claim(required, "groups", Match.AtLeast(2)).IsSatisfiedBy(user).IsSatisfied, Is.EqualTo(atLeastTwo));
            Assert.That(Require.Claim(required, "groups", Match.One).IsSatisfiedBy(user).IsSatisfied, Is.EqualTo(one));
        });
    }

    [Test]
    public void Claim_MatchAtLeastMoreThanValues_ThrowsNamingTheProblem()
    {
        Assert.That(
            () => Require.Claim(["a", "b"], "groups", Match.AtLeast(3)),
            Throws.ArgumentException.With.Message.Contains("at least 3 values but only 2 are given"));
    }

    [Test]
    public void Claim_NoValues_Throws()
    {
        Assert.That(() => Require.Claim([], "groups"), Throws.ArgumentException.With.Message.Contains("At least one required value"));
    }

    [Test]
    public void Claim_NullValue_Throws()
    {
        Assert.That(() => Require.Claim(["a", null!], "groups"), Throws.ArgumentException.With.Message.Contains("null"));
    }

    [Test]
    public void Claim_EmptyClaimName_Throws()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => Require.Claim(["a"], ""), Throws.ArgumentException.With.Message.Contains("claim name must not be empty"));
            Assert.That(() => Require.Claim("a", ""), Throws.ArgumentException.With.Message.Contains("claim name must not be empty"));
        });
    }

    [Test]
    public void Audience_Empty_IsSatisfied()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Require.Audience(""), Is.InstanceOf<Satisfied>());
            Assert.That(Require.Audience(Array.Empty<string>()), Is.InstanceOf<Satisfied>());
        });
    }

    [Test]
    public void Audience_Single_IsHasAudience()
    {
        var requirement = Require.Audience("api");

        Assert.That(requirement, Is.InstanceOf<HasAudience>());
        Assert.That(requirement.IsSatisfiedBy(Users.Alice("\"aud\":[\"api\"]")).IsSatisfied, Is.True);
    }

    [Test]
    public void Audience_List_OneOfByDefaultAsInFlaat()
    {
        var requirement = Require.Audience(["api", "other"]);

        Assert.That(requirement, Is.InstanceOf<OneOf>());
        Assert.That(requirement.IsSatisfiedBy(Users.Alice("\"aud\":\"other\"")).IsSatisfied, Is.True);
    }

    [Test]
    public void Audience_ListWithMatchAll_IsAllOf()
    {
        var requirement = Require.Audience(["api", "other"], match: Match.All);

        Assert.That(requirement, Is.InstanceOf<AllOf>());
        Assert.That(requirement.IsSatisfiedBy(Users.Alice("\"aud\":\"other\"")).IsSatisfied, Is.False);
    }

    [Test]
    public void Audience_PredicateIsPassedToEveryLeaf()
    {
        var requirement = Require.Audience(["api", "other"], _ => false);

        var result = requirement.IsSatisfiedBy(Users.Alice());

        Assert.That(result.IsSatisfied, Is.True);
    }

    [Test]
    public void Scope_ListMatchAll_NeedsEveryScope()
    {
        var requirement = Require.Scope(["read", "write"]);

        Assert.Multiple(() =>
        {
            Assert.That(requirement.IsSatisfiedBy(Users.Alice("\"scope\":\"openid write read\"")).IsSatisfied, Is.True);
            Assert.That(requirement.IsSatisfiedBy(Users.Alice("\"scope\":\"openid read\"")).IsSatisfied, Is.False);
        });
    }

    [Test]
    public void Scope_OtherClaim_IsUsed()
    {
        var requirement = Require.Scope("read", "scp");

        Assert.That(requirement.IsSatisfiedBy(Users.Alice("\"scp\":\"read\"")).IsSatisfied, Is.True);
    }

    [Test]
    public void Authenticated_IsHasSubIss()
    {
        Assert.That(Require.Authenticated(), Is.InstanceOf<HasSubIss>());
    }

    [Test]
    public void IssuerSupportsAudience_FromOptions_OnlyListedUnsupportedIssuersAreSkipped()
    {
        var options = new FlaatOptions
        {
            Issuers =
            {
                new IssuerOptions { Issuer = "https://no-aud.example/", SupportsAudience = false },
                new IssuerOptions { Issuer = "https://aud.example" },
            },
        };

        var supports = Require.IssuerSupportsAudience(options);

        Assert.Multiple(() =>
        {
            Assert.That(supports("https://no-aud.example"), Is.False);
            Assert.That(supports("https://no-aud.example/"), Is.False);
            Assert.That(supports("https://aud.example"), Is.True);
            Assert.That(supports("https://unknown.example"), Is.True);
            Assert.That(supports(""), Is.True);
        });
    }

    [Test]
    public void IssuerSupportsAudience_NoIssuerOptions_EveryIssuerIsChecked()
    {
        var supports = Require.IssuerSupportsAudience(new FlaatOptions());

        Assert.That(supports("https://op.example"), Is.True);
    }
}
