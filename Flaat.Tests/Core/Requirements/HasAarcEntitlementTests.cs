using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

public sealed class HasAarcEntitlementTests
{
    private const string Group = "urn:geant:h-df.de:group:aai-admin";

    private static bool Check(string required, string claims) =>
        new HasAarcEntitlement(required).IsSatisfiedBy(Users.Alice(claims)).IsSatisfied;

    private static string Entitlements(params string[] values) =>
        "\"eduperson_entitlement\":[" + string.Join(",", values.Select(v => "\"" + v + "\"")) + "]";

    [Test]
    public void RequiredEntitlement_ParsesAsG069()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new HasAarcEntitlement(Group).RequiredEntitlement, Is.Not.Null);
            Assert.That(new HasAarcEntitlement("admins").RequiredEntitlement, Is.Null);
        });
    }

    [Test]
    public void SameEntitlement_Satisfies()
    {
        Assert.That(Check(Group, Entitlements(Group)), Is.True);
    }

    [Test]
    public void SubgroupMember_SatisfiesParentGroup()
    {
        Assert.That(Check(Group, Entitlements("urn:geant:h-df.de:group:aai-admin:sub:subsub#authority.example")), Is.True);
    }

    [Test]
    public void ParentGroupMember_DoesNotSatisfySubgroup()
    {
        Assert.That(Check(Group + ":sub", Entitlements(Group)), Is.False);
    }

    [Test]
    public void OtherGroup_DoesNotSatisfy()
    {
        Assert.That(Check(Group, Entitlements("urn:geant:h-df.de:group:aai-admins", "urn:geant:h-df.de:group:users")), Is.False);
    }

    [Test]
    public void RoleRequired_NeedsTheSameRoleInTheSameSubgroup()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Check(Group + ":role=owner", Entitlements(Group + ":role=owner")), Is.True);
            Assert.That(Check(Group + ":role=owner", Entitlements(Group + ":role=member")), Is.False);
            Assert.That(Check(Group + ":role=owner", Entitlements(Group + ":sub:role=owner")), Is.False);
            Assert.That(Check(Group + ":role=owner", Entitlements(Group)), Is.False);
        });
    }

    [Test]
    public void NamespaceCase_IsIgnoredAsG069Says()
    {
        Assert.That(Check(Group, Entitlements("URN:GEANT:H-DF.DE:group:aai-admin")), Is.True);
    }

    [Test]
    public void PercentEncodedValue_IsParsedNotPrefiltered()
    {
        Assert.That(Check("urn:geant:h-df.de:group:a%2Fb", Entitlements("urn:geant:h-df.de:group:a%2fb")), Is.True);
    }

    [Test]
    public void JsonEscapedValue_IsParsedNotPrefiltered()
    {
        Assert.That(Check(Group, "\"eduperson_entitlement\":[\"urn:geant:h-df.de:group:aai\\u002dadmin\"]"), Is.True);
    }

    [Test]
    public void UnparseableAvailableValues_NeverMatchAnEntitlement()
    {
        Assert.That(Check(Group, Entitlements("not an entitlement", "aai-admin", "urn:geant:h-df.de:aai-admin")), Is.False);
    }

    [Test]
    public void NonStringAvailableValues_NeverMatchAnEntitlement()
    {
        Assert.That(Check(Group, "\"eduperson_entitlement\":[1,true,null,{\"g\":\"" + Group + "\"}]"), Is.False);
    }

    [Test]
    public void ScalarClaim_IsCheckedLikeAList()
    {
        Assert.That(Check(Group, "\"eduperson_entitlement\":\"" + Group + ":sub\""), Is.True);
    }

    [TestCase("[\"users\",\"admins\"]", true)]
    [TestCase("\"admins\"", true)]
    [TestCase("[\"admins-x\"]", false)]
    [TestCase("[\"urn:geant:h-df.de:group:admins\"]", false)]
    public void UnparseableRequiredValue_ComparesByEquality(string groups, bool expected)
    {
        var result = new HasAarcEntitlement("admins", "groups").IsSatisfiedBy(Users.Alice($"\"groups\":{groups}"));

        Assert.That(result.IsSatisfied, Is.EqualTo(expected));
    }

    [Test]
    public void Messages_AreFlaatsClaimMessages()
    {
        var requirement = new HasAarcEntitlement(Group);

        Assert.Multiple(() =>
        {
            Assert.That(requirement.IsSatisfiedBy(Users.Alice()).Message, Is.EqualTo("Claim 'eduperson_entitlement' is not available"));
            Assert.That(
                requirement.IsSatisfiedBy(Users.Alice(Entitlements("x"))).Message,
                Is.EqualTo($"User has no claim 'eduperson_entitlement' with value: '{Group}'"));
        });
    }

    [Test]
    public void Vo_ListMatchOne_MixesGroupsAndEntitlements()
    {
        var requirement = Require.Vo(["admins", Group], match: Match.One);

        Assert.Multiple(() =>
        {
            Assert.That(requirement.IsSatisfiedBy(Users.Alice(Entitlements(Group + ":sub"))).IsSatisfied, Is.True);
            Assert.That(requirement.IsSatisfiedBy(Users.Alice(Entitlements("admins"))).IsSatisfied, Is.True);
            Assert.That(requirement.IsSatisfiedBy(Users.Alice(Entitlements("users"))).IsSatisfied, Is.False);
        });
    }

    [Test]
    public void Vo_Single_DefaultClaimIsEdupersonEntitlement()
    {
        var requirement = Require.Vo(Group);

        Assert.That(((HasAarcEntitlement)requirement).Claim, Is.EqualTo("eduperson_entitlement"));
    }

    [Test]
    public void AccessLevel_Vo_DefaultsToEdupersonEntitlement()
    {
        var level = AccessLevel.Create("vo", new AccessLevelOptions { Kind = "vo", Values = { Group } });

        Assert.That(level.Requirement.IsSatisfiedBy(Users.Alice(Entitlements(Group + ":x"))).IsSatisfied, Is.True);
    }

    [Test]
    public void AccessLevel_VoWithClaim_UsesIt()
    {
        var level = AccessLevel.Create("vo", new AccessLevelOptions { Kind = "vo", Claim = "groups", Values = { "admins", "ops" }, Match = "one" });

        Assert.That(level.Requirement.IsSatisfiedBy(Users.Alice("\"groups\":[\"ops\"]")).IsSatisfied, Is.True);
    }

    [Test]
    public void ValuesOutsideTheRequiredGroup_AreSkippedWithoutParsing()
    {
        // Parsing allocates; values that cannot be in the required group are not parsed at all.
        var user = Users.Alice(Entitlements("urn:geant:h-df.de:group:users", "urn:geant:h-df.de:group:ops:role=member", "admins"));
        var requirement = new HasAarcEntitlement(Group);
        requirement.IsSatisfiedBy(user);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = requirement.IsSatisfiedBy(user);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(result.IsSatisfied, Is.False);
        Assert.That(allocated, Is.Zero);
    }
}
