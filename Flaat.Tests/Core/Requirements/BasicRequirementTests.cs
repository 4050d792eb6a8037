using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

public sealed class BasicRequirementTests
{
    [Test]
    public void Satisfied_AnyUser_IsSatisfiedWithFlaatMessage()
    {
        var result = new Satisfied().IsSatisfiedBy(Users.Anonymous);

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.True);
            Assert.That(result.Message, Is.EqualTo("Requirement is always satisfied"));
            Assert.That(result.Details, Is.Null);
        });
    }

    [Test]
    public void Unsatisfiable_AnyUser_IsNotSatisfiedWithFlaatMessage()
    {
        var result = new Unsatisfiable().IsSatisfiedBy(Users.Alice());

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.False);
            Assert.That(result.Message, Is.EqualTo("Requirement is unsatisfiable"));
            Assert.That(result.Render().ToJsonString(), Is.EqualTo("\"Requirement is unsatisfiable\""));
        });
    }

    [Test]
    public void IsTrue_PredicateTrue_IsSatisfiedAndNamesThePredicate()
    {
        var requirement = new IsTrue(u => u.Subject == "alice", "is alice");

        var result = requirement.IsSatisfiedBy(Users.Alice());

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.True);
            Assert.That(result.Message, Is.EqualTo("Evaluation of: is alice"));
            Assert.That(requirement.Name, Is.EqualTo("is alice"));
        });
    }

    [Test]
    public void IsTrue_PredicateFalse_IsNotSatisfiedAndNamesThePredicate()
    {
        var requirement = new IsTrue(u => u.Subject == "bob", "is bob");

        var result = requirement.IsSatisfiedBy(Users.Alice());

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.False);
            Assert.That(result.Message, Is.EqualTo("Evaluation of: is bob"));
        });
    }

    [Test]
    public void IsTrue_PredicateSeesTheUserInfos()
    {
        UserInfos? seen = null;
        var user = Users.Alice();
        var requirement = new IsTrue(u => (seen = u) is not null, "capture");

        requirement.IsSatisfiedBy(user);

        Assert.That(seen, Is.SameAs(user));
    }

    [Test]
    public void IsTrue_EmptyName_Throws()
    {
        Assert.That(() => new IsTrue(_ => true, " "), Throws.ArgumentException);
    }

    [Test]
    public void HasSubIss_SubjectAndIssuer_IsSatisfiedWithTheUserInTheMessage()
    {
        var result = new HasSubIss().IsSatisfiedBy(Users.Alice());

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.True);
            // flaat forgot the f-string prefix and printed the braces literally.
            Assert.That(result.Message, Is.EqualTo("Valid user: alice @ https://op.example"));
        });
    }

    [TestCase("{}")]
    [TestCase("""{"sub":"alice"}""")]
    [TestCase("""{"iss":"https://op.example"}""")]
    [TestCase("""{"sub":"","iss":"https://op.example"}""")]
    public void HasSubIss_SubjectOrIssuerMissing_IsNotSatisfied(string userInfo)
    {
        var result = new HasSubIss().IsSatisfiedBy(Users.WithUserInfo(userInfo));

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.False);
            Assert.That(result.Message, Is.EqualTo("user_infos have no subject / issuer"));
        });
    }

    [Test]
    public void HasSubIss_NullUserInfos_IsNotSatisfied()
    {
        var result = new HasSubIss().IsSatisfiedBy(null!);

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.False);
            Assert.That(result.Message, Is.EqualTo("No valid user_infos found"));
        });
    }
}
