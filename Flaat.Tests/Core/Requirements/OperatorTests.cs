using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

public sealed class OperatorTests
{
    private static readonly Requirement A = new HasClaim("a", "c");
    private static readonly Requirement B = new HasClaim("b", "c");
    private static readonly Requirement C = new HasClaim("d", "c");

    [Test]
    public void And_TwoLeaves_IsAllOfBoth()
    {
        var requirement = A & B;

        Assert.That(requirement, Is.InstanceOf<AllOf>());
        Assert.That(((AllOf)requirement).Children, Is.EqualTo(new[] { A, B }));
    }

    [Test]
    public void And_Chained_IsFlattened()
    {
        var requirement = (AllOf)(A & B & C);

        Assert.That(requirement.Children, Is.EqualTo(new[] { A, B, C }));
    }

    [Test]
    public void And_BothSidesAllOf_ChildrenConcatenated()
    {
        var requirement = (AllOf)((A & B) & (C & A));

        Assert.That(requirement.Children, Is.EqualTo(new[] { A, B, C, A }));
    }

    [Test]
    public void And_EmptyAllOf_IsKeptAsAChildSoItStaysUnsatisfiable()
    {
        var requirement = (AllOf)(new AllOf() & new Satisfied());

        Assert.Multiple(() =>
        {
            Assert.That(requirement.Children, Has.Count.EqualTo(2));
            Assert.That(requirement.IsSatisfiedBy(Users.Alice()).IsSatisfied, Is.False);
        });
    }

    [Test]
    public void Or_Chained_IsFlattenedOneOf()
    {
        var requirement = A | B | C;

        Assert.That(requirement, Is.InstanceOf<OneOf>());
        Assert.That(((OneOf)requirement).Children, Is.EqualTo(new[] { A, B, C }));
    }

    [Test]
    public void Mixed_AndOfOrs_KeepsStructure()
    {
        var requirement = (AllOf)((A | B) & C);

        Assert.Multiple(() =>
        {
            Assert.That(requirement.Children, Has.Count.EqualTo(2));
            Assert.That(requirement.Children[0], Is.InstanceOf<OneOf>());
            Assert.That(requirement.Children[1], Is.SameAs(C));
        });
    }

    [TestCase("[\"a\",\"d\"]", true)]
    [TestCase("[\"b\",\"d\"]", true)]
    [TestCase("[\"a\",\"b\"]", false)]
    [TestCase("[\"d\"]", false)]
    public void Mixed_Evaluation_FollowsBooleanLogic(string values, bool expected)
    {
        var requirement = (A | B) & C;

        var result = requirement.IsSatisfiedBy(Users.Alice($"\"c\":{values}"));

        Assert.That(result.IsSatisfied, Is.EqualTo(expected));
    }

    [Test]
    public void Or_NOfIsNotFlattened()
    {
        var nOf = new NOf(2, A, B, C);

        var requirement = (OneOf)(nOf | A);

        Assert.That(requirement.Children, Is.EqualTo(new[] { nOf, A }));
    }

    [Test]
    public void Operators_Null_Throw()
    {
        Assert.That(() => A & null!, Throws.ArgumentNullException);
        Assert.That(() => null! | A, Throws.ArgumentNullException);
    }

    [Test]
    public void And_DoesNotChangeItsOperands()
    {
        var left = (AllOf)(A & B);

        _ = left & C;

        Assert.That(left.Children, Is.EqualTo(new[] { A, B }));
    }
}
