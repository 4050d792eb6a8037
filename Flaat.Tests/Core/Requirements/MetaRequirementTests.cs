using System.Text.Json.Nodes;
using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

public sealed class MetaRequirementTests
{
    private static readonly Requirement Yes = new Satisfied();
    private static readonly Requirement No = new Unsatisfiable();

    [Test]
    public void AllOf_AllSatisfied_IsSatisfied()
    {
        var result = new AllOf(Yes, Yes).IsSatisfiedBy(Users.Alice());

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.True);
            Assert.That(result.Message, Is.EqualTo("All sub-requirements are satisfied"));
        });
    }

    [Test]
    public void AllOf_SomeUnsatisfied_DetailsAreTheFailedChildrenInOrder()
    {
        var requirement = new AllOf(No, Yes, new HasClaim("x", "group"));

        var result = requirement.IsSatisfiedBy(Users.Alice());

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.False);
            Assert.That(result.Message, Is.EqualTo("AllOf: Unsatisfied sub-requirements"));
            Assert.That(result.Details!.Select(d => d.Message), Is.EqualTo(new[]
            {
                "Requirement is unsatisfiable",
                "Claim 'group' is not available",
            }));
            Assert.That(
                result.Render().ToJsonString(),
                IsJson("""{"check":"AllOf: Unsatisfied sub-requirements","check_details":["Requirement is unsatisfiable","Claim 'group' is not available"]}"""));
        });
    }

    [Test]
    public void AllOf_NoChildren_IsNeverSatisfied()
    {
        var result = new AllOf().IsSatisfiedBy(Users.Alice());

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.False);
            Assert.That(result.Message, Is.EqualTo("No sub-requirements"));
            Assert.That(result.Render().ToJsonString(), Is.EqualTo("\"No sub-requirements\""));
        });
    }

    [TestCase(1, 1, true)]
    [TestCase(2, 2, true)]
    [TestCase(2, 3, true)]
    [TestCase(3, 2, false)]
    [TestCase(1, 0, false)]
    public void NOf_SatisfiedCount_SatisfiedWhenAtLeastCount(int count, int satisfiedChildren, bool expected)
    {
        var children = Enumerable.Repeat(Yes, satisfiedChildren).Concat([No, No]).ToArray();

        var result = new NOf(count, children).IsSatisfiedBy(Users.Alice());

        Assert.That(result.IsSatisfied, Is.EqualTo(expected));
    }

    [Test]
    public void NOf_TooFewSatisfied_MessageCountsThemAndDetailsAreTheFailures()
    {
        var requirement = new NOf(3, No, Yes, new HasClaim("admin", "role"), Yes);

        var result = requirement.IsSatisfiedBy(Users.Alice("\"role\":\"user\""));

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.False);
            Assert.That(result.Message, Is.EqualTo("Only 2 of 3 sub-requirements were satisfied"));
            Assert.That(
                result.Render().ToJsonString(),
                IsJson("""{"check":"Only 2 of 3 sub-requirements were satisfied","check_details":["Requirement is unsatisfiable","User has no claim 'role' with value: 'admin'"]}"""));
        });
    }

    [Test]
    public void NOf_Satisfied_MessageSaysSoWithoutFlaatsTypo()
    {
        var result = new NOf(2, Yes, No, Yes).IsSatisfiedBy(Users.Alice());

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.True);
            Assert.That(result.Message, Is.EqualTo("2 of 2 sub-requirements are satisfied"));
        });
    }

    [Test]
    public void NOf_NoChildren_IsNeverSatisfied()
    {
        var result = new NOf(1).IsSatisfiedBy(Users.Alice());

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.False);
            Assert.That(result.Message, Is.EqualTo("No sub-requirements"));
        });
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void NOf_CountBelowOne_Throws(int count)
    {
        Assert.That(() => new NOf(count, Yes), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void NOf_EnoughSatisfied_StopsEvaluating()
    {
        var evaluated = 0;
        var counting = new IsTrue(_ => ++evaluated > 0, "count");

        new NOf(2, counting, counting, counting, counting).IsSatisfiedBy(Users.Alice());

        Assert.That(evaluated, Is.EqualTo(2));
    }

    [Test]
    public void OneOf_OneSatisfied_IsSatisfied()
    {
        var result = new OneOf(No, Yes).IsSatisfiedBy(Users.Alice());

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.True);
            Assert.That(result.Message, Is.EqualTo("1 of 1 sub-requirements are satisfied"));
        });
    }

    [Test]
    public void OneOf_NoneSatisfied_ReportsLikeNOfOne()
    {
        var result = new OneOf(No, new HasClaim("x", "c")).IsSatisfiedBy(Users.Alice());

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.False);
            Assert.That(result.Message, Is.EqualTo("Only 0 of 1 sub-requirements were satisfied"));
            Assert.That(result.Details!.Select(d => d.Message), Is.EqualTo(new[] { "Requirement is unsatisfiable", "Claim 'c' is not available" }));
        });
    }

    [Test]
    public void OneOf_NoChildren_IsNeverSatisfied()
    {
        var result = new OneOf().IsSatisfiedBy(Users.Alice());

        Assert.That(result.Message, Is.EqualTo("No sub-requirements"));
        Assert.That(result.IsSatisfied, Is.False);
    }

    [Test]
    public void Children_NullChild_Throws()
    {
        Assert.That(() => new AllOf(Yes, null!), Throws.ArgumentException);
        Assert.That(() => new OneOf(null!, Yes), Throws.ArgumentException);
        Assert.That(() => new NOf(1, Yes, null!), Throws.ArgumentException);
    }

    [Test]
    public void Children_AreExposedReadOnly()
    {
        var requirement = new AllOf(Yes, No);

        Assert.That(requirement.Children, Is.EqualTo(new[] { Yes, No }));
        Assert.That(requirement.Children, Is.Not.InstanceOf<Requirement[]>());
    }

    [Test]
    public void Lazy_FactoryIsCalledAtEveryEvaluationNotBefore()
    {
        var calls = 0;
        var lazy = Requirement.Lazy(() =>
        {
            calls++;
            return calls == 1 ? No : Yes;
        });
        var requirement = new AllOf(Yes, lazy);
        Assert.That(calls, Is.Zero);

        var first = requirement.IsSatisfiedBy(Users.Alice());
        var second = requirement.IsSatisfiedBy(Users.Alice());

        Assert.Multiple(() =>
        {
            Assert.That(calls, Is.EqualTo(2));
            Assert.That(first.IsSatisfied, Is.False);
            Assert.That(first.Details!.Single().Message, Is.EqualTo("Requirement is unsatisfiable"));
            Assert.That(second.IsSatisfied, Is.True);
        });
    }

    [Test]
    public void Lazy_InsideOneOf_ResolvedAtEvaluation()
    {
        Requirement? configured = null;
        var requirement = new OneOf(No, Requirement.Lazy(() => configured!));
        configured = new HasClaim("admins", "groups");

        var result = requirement.IsSatisfiedBy(Users.Alice("\"groups\":[\"users\",\"admins\"]"));

        Assert.That(result.IsSatisfied, Is.True);
    }

    [Test]
    public void Lazy_FactoryReturnsNull_ThrowsInvalidOperation()
    {
        var requirement = new AllOf(Requirement.Lazy(() => null!));

        Assert.That(() => requirement.IsSatisfiedBy(Users.Alice()), Throws.InvalidOperationException.With.Message.Contains("factory returned null"));
    }

    [Test]
    public void Nested_FailuresRenderRecursively()
    {
        var requirement = new AllOf(
            new OneOf(new HasClaim("admins", "groups"), new HasClaim("ops", "groups")),
            new HasSubIss(),
            new NOf(2, Yes, No, No));

        var result = requirement.IsSatisfiedBy(Users.Alice("\"groups\":[\"users\"]"));

        Assert.That(
            result.Render().ToJsonString(),
            IsJson(
                """{"check":"AllOf: Unsatisfied sub-requirements","check_details":[""" +
                """{"check":"Only 0 of 1 sub-requirements were satisfied","check_details":["User has no claim 'groups' with value: 'admins'","User has no claim 'groups' with value: 'ops'"]},""" +
                """{"check":"Only 1 of 2 sub-requirements were satisfied","check_details":["Requirement is unsatisfiable","Requirement is unsatisfiable"]}]}"""));
    }

    private static NUnit.Framework.Constraints.EqualStringConstraint IsJson(string json) => Is.EqualTo(JsonNode.Parse(json)!.ToJsonString());
}
