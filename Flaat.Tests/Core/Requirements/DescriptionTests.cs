using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

public sealed class DescriptionTests
{
    [Test]
    public void ToString_NestedRequirement_DescribesTheWholeTree()
    {
        var requirement = new AllOf(
            Require.Claim(["admins", "ops"], "groups", Match.One),
            new NOf(2, new HasScope("read"), new HasAudience("api"), new HasAarcEntitlement("urn:geant:x:group:y")),
            new IsTrue(_ => true, "is staff"),
            new HasSubIss(),
            Requirement.Lazy(() => new Satisfied()));

        Assert.That(
            requirement.ToString(),
            Is.EqualTo("AllOf(OneOf(HasClaim(groups: 'admins'), HasClaim(groups: 'ops')), "
                + "NOf(2; HasScope(scope: 'read'), HasAudience(aud: 'api'), HasAarcEntitlement(eduperson_entitlement: 'urn:geant:x:group:y')), "
                + "IsTrue(is staff), HasSubIss, Lazy)"));
    }

    [Test]
    public void ToString_Constants()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new Satisfied().ToString(), Is.EqualTo("Satisfied"));
            Assert.That(new Unsatisfiable().ToString(), Is.EqualTo("Unsatisfiable"));
            Assert.That(AccessLevel.Identified.ToString(), Is.EqualTo("IDENTIFIED"));
        });
    }
}
