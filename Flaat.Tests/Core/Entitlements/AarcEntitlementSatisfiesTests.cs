using Flaat.Entitlements;

namespace Flaat.Tests.Core.Entitlements;

/// <summary>
/// The relations between a required and an available ("actual") entitlement that aarc-entitlement's
/// own tests pin down, checked under every spec in both directions.
/// </summary>
public sealed class AarcEntitlementSatisfiesTests
{
    private const string Foo = "unity.helmholtz-data-federation.de";
    private const string Bar = "backupserver.used.for.developmt.de";

    public enum Relation
    {
        Equal,
        ActualContainsRequired,
        RequiredContainsActual,
        Disjoint,
    }

    private static readonly object[] Cases =
    [
        new object[] { "disjoint namespaces", Relation.Disjoint, "urn:geant:h-df.de:group:aai-admin", "urn:geant:kit.edu:group:bwUniCluster" },
        new object[] { "disjoint, required has an authority", Relation.Disjoint, $"urn:geant:h-df.de:group:myExampleColab#{Foo}", "urn:geant:kit.edu:group:bwUniCluster" },
        new object[] { "same group in another namespace", Relation.Disjoint, "urn:geant:h-df.de:group:aai-admin", "urn:geant:kit.edu:group:aai-admin" },
        new object[] { "equal", Relation.Equal, $"urn:geant:h-df.de:group:aai-admin#{Foo}", $"urn:geant:h-df.de:group:aai-admin#{Foo}" },
        new object[] { "equal with subgroup", Relation.Equal, $"urn:geant:h-df.de:group:aai-admin:subadmins#{Foo}", $"urn:geant:h-df.de:group:aai-admin:subadmins#{Foo}" },
        new object[] { "equal with role", Relation.Equal, $"urn:geant:h-df.de:group:aai-admin:role=member#{Foo}", $"urn:geant:h-df.de:group:aai-admin:role=member#{Foo}" },
        new object[] { "authorities differ", Relation.Equal, $"urn:geant:h-df.de:group:aai-admin:role=member#{Foo}", $"urn:geant:h-df.de:group:aai-admin:role=member#{Bar}" },
        new object[] { "authority only on one side", Relation.Equal, "urn:geant:h-df.de:group:aai-admin", "urn:geant:h-df.de:group:aai-admin#totally_different_authority" },
        new object[] { "actual has a subgroup", Relation.ActualContainsRequired, "urn:geant:h-df.de:group:aai-admin", $"urn:geant:h-df.de:group:aai-admin:special-admins#{Foo}" },
        new object[] { "subnamespaces in another order", Relation.Disjoint, $"urn:geant:h-df.de:subns1:subns2:group:aai-admin:role=member#{Foo}", $"urn:geant:h-df.de:subns2:subns1:group:aai-admin:role=member#{Foo}" },
        new object[] { "required subnamespaces deeper", Relation.RequiredContainsActual, $"urn:geant:h-df.de:subns1:subns2:subns0:group:aai-admin:role=member#{Foo}", $"urn:geant:h-df.de:subns1:subns2:group:aai-admin:role=member#{Foo}" },
        new object[] { "subgroups in another order", Relation.Disjoint, $"urn:geant:h-df.de:group:aai-admin:subgroup1:subgroup2:subgroup3:role=member#{Foo}", $"urn:geant:h-df.de:group:aai-admin:subgroup2:subgroup1:subgroup3:role=member#{Foo}" },
        new object[] { "role in subgroups of different depth", Relation.Disjoint, $"urn:geant:h-df.de:group:aai-admin:subgroup1:subgroup2:subgroup3:role=member#{Foo}", $"urn:geant:h-df.de:group:aai-admin:subgroup1:subgroup2:role=member#{Foo}" },
        new object[] { "role not required", Relation.ActualContainsRequired, $"urn:geant:h-df.de:group:aai-admin#{Foo}", $"urn:geant:h-df.de:group:aai-admin:role=member#{Bar}" },
        new object[] { "role required but not held", Relation.RequiredContainsActual, $"urn:geant:h-df.de:group:aai-admin:role=member#{Foo}", $"urn:geant:h-df.de:group:aai-admin#{Bar}" },
        new object[] { "role required for the supergroup, held in a subgroup", Relation.Disjoint, $"urn:geant:h-df.de:group:aai-admin:role=admin#{Foo}", $"urn:geant:h-df.de:group:aai-admin:special-admins:role=admin#{Bar}" },
        new object[] { "subgroup required but not held", Relation.RequiredContainsActual, $"urn:geant:h-df.de:group:aai-admin:special-admins#{Foo}", $"urn:geant:h-df.de:group:aai-admin#{Bar}" },
        new object[] { "actual has more subnamespaces", Relation.ActualContainsRequired, "urn:geant:h-df.de:group:g#a", "urn:geant:h-df.de:sub:group:g#a" },
        new object[] { "other role", Relation.Disjoint, "urn:geant:h-df.de:group:g:role=admin#a", "urn:geant:h-df.de:group:g:role=member#a" },
        new object[] { "other group", Relation.Disjoint, "urn:geant:h-df.de:group:g#a", "urn:geant:h-df.de:group:h#a" },
        new object[] { "other namespace id", Relation.Disjoint, "urn:geant:h-df.de:group:g#a", "urn:mace:h-df.de:group:g#a" },
        new object[] { "deeper subgroup, no roles", Relation.ActualContainsRequired, "urn:geant:h-df.de:group:g:a#x", "urn:geant:h-df.de:group:g:a:b:c#x" },
        new object[] { "same subgroup, role held, none required", Relation.ActualContainsRequired, "urn:geant:h-df.de:group:g:a#x", "urn:geant:h-df.de:group:g:a:role=admin#x" },
        new object[] { "role held in a deeper subgroup, none required", Relation.ActualContainsRequired, "urn:geant:h-df.de:group:g:a#x", "urn:geant:h-df.de:group:g:a:b:role=admin#x" },
    ];

    private static IEnumerable<TestCaseData> CasesForEverySpec()
    {
        foreach (var spec in Enum.GetValues<AarcSpec>())
        {
            foreach (object[] c in Cases)
            {
                // Strict G002 cannot read the values without an authority; aarc-entitlement runs those lax only.
                if (spec == AarcSpec.G002Strict && (!((string)c[2]).Contains('#') || !((string)c[3]).Contains('#')))
                {
                    continue;
                }

                yield return new TestCaseData(spec, c[1], c[2], c[3]).SetArgDisplayNames(spec.ToString(), (string)c[0]);
            }
        }
    }

    [TestCaseSource(nameof(CasesForEverySpec))]
    public void Satisfies_ReferenceRelations_HoldInBothDirections(AarcSpec spec, Relation relation, string required, string actual)
    {
        var requiredEntitlement = AarcEntitlement.Parse(required, spec);
        var actualEntitlement = AarcEntitlement.Parse(actual, spec);

        var actualSatisfies = actualEntitlement.Satisfies(requiredEntitlement);
        var requiredSatisfies = requiredEntitlement.Satisfies(actualEntitlement);
        var equal = actualEntitlement.Equals(requiredEntitlement);

        var expected = relation switch
        {
            Relation.Equal => (true, true, true),
            Relation.ActualContainsRequired => (true, false, false),
            Relation.RequiredContainsActual => (false, true, false),
            _ => (false, false, false),
        };
        Assert.That((actualSatisfies, requiredSatisfies, equal), Is.EqualTo(expected));
    }

    [Test]
    public void Satisfies_G069CaseOfNamespaceAndUrnDiffers_IsSatisfied()
    {
        var available = AarcEntitlement.Parse("URN:GEANT:H-DF.DE:SUB:group:aai-admin", AarcSpec.G069);
        var required = AarcEntitlement.Parse("urn:geant:h-df.de:sub:group:aai-admin", AarcSpec.G069);

        Assert.That(available.Satisfies(required), Is.True);
    }

    [TestCase("urn:geant:h-df.de:group:AAI-admin")]
    [TestCase("urn:geant:h-df.de:group:aai-admin:Sub")]
    [TestCase("urn:geant:h-df.de:group:aai-admin:role=Member")]
    public void Satisfies_G069GroupSubgroupOrRoleCaseDiffers_IsNotSatisfied(string required)
    {
        var available = AarcEntitlement.Parse("urn:geant:h-df.de:group:aai-admin:sub:role=member", AarcSpec.G069);

        Assert.That(available.Satisfies(AarcEntitlement.Parse(required, AarcSpec.G069)), Is.False);
    }

    [Test]
    public void Satisfies_G002NamespaceCaseDiffers_IsNotSatisfied()
    {
        var available = AarcEntitlement.Parse("urn:GEANT:h-df.de:group:aai-admin", AarcSpec.G002);
        var required = AarcEntitlement.Parse("urn:geant:h-df.de:group:aai-admin", AarcSpec.G002);

        Assert.That(available.Satisfies(required), Is.False);
    }

    [Test]
    public void Satisfies_G069PercentEncodingCaseDiffers_IsSatisfied()
    {
        var available = AarcEntitlement.Parse("urn:nid:example.org:group:Minun%20Ryhm%c3%a4ni", AarcSpec.G069);
        var required = AarcEntitlement.Parse("urn:nid:example.org:group:Minun%20Ryhm%C3%A4ni", AarcSpec.G069);

        Assert.That(available.Satisfies(required), Is.True);
    }

    [Test]
    public void Satisfies_G069EncodedVersusDecodedCharacter_IsNotSatisfied()
    {
        var available = AarcEntitlement.Parse("urn:nid:example.org:group:a%20b", AarcSpec.G069);
        var required = AarcEntitlement.Parse("urn:nid:example.org:group:a b", AarcSpec.G069);

        Assert.That(available.Satisfies(required), Is.False);
    }

    [Test]
    public void Satisfies_G002EncodedVersusDecodedCharacter_IsSatisfied()
    {
        var available = AarcEntitlement.Parse("urn:nid:example.org:group:a%20b", AarcSpec.G002);
        var required = AarcEntitlement.Parse("urn:nid:example.org:group:a b", AarcSpec.G002);

        Assert.That(available.Satisfies(required), Is.True);
    }

    [Test]
    public void Satisfies_G069UrnComponentsOnOneSide_AreIgnored()
    {
        var available = AarcEntitlement.Parse("urn:nid:example.org?+r?=q#f:group:g", AarcSpec.G069);
        var required = AarcEntitlement.Parse("urn:nid:example.org:group:g", AarcSpec.G069);

        Assert.That((available.Satisfies(required), required.Satisfies(available)), Is.EqualTo((true, true)));
    }

    [Test]
    public void Satisfies_EntitlementsReadByDifferentSpecs_ComparesTheirParts()
    {
        var available = AarcEntitlement.Parse("URN:Geant:Example.org:group:g:role=r", AarcSpec.G069);

        Assert.Multiple(() =>
        {
            Assert.That(available.Satisfies(AarcEntitlement.Parse("urn:geant:example.org:group:g#a", AarcSpec.G002Strict)), Is.True);
            Assert.That(available.Satisfies(AarcEntitlement.Parse("urn:Geant:Example.org:group:g", AarcSpec.G002)), Is.False);
        });
    }

    [Test]
    public void Satisfies_Null_Throws()
    {
        var available = AarcEntitlement.Parse("urn:nid:example.org:group:g");

        Assert.That(() => available.Satisfies(null!), Throws.ArgumentNullException);
    }

    [Test]
    public void EqualsAndHashCode_EqualButForAuthority_AreEqual()
    {
        var a = AarcEntitlement.Parse("urn:nid:example.org:sub:group:g:s:role=r#one", AarcSpec.G002);
        var b = AarcEntitlement.Parse("urn:nid:example.org:sub:group:g:s:role=r#two", AarcSpec.G002);
        var distinct = new HashSet<AarcEntitlement> { a, b }.Count;

        Assert.Multiple(() =>
        {
            Assert.That(a, Is.EqualTo(b));
            Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
            Assert.That(a.Equals((object)b), Is.True);
            Assert.That(a.Equals(null), Is.False);
            Assert.That(distinct, Is.EqualTo(1));
        });
    }

    [TestCase("urn:nid:example.org:group:g:s:role=r", "urn:nid:example.org:group:g:s")]
    [TestCase("urn:nid:example.org:group:g:s", "urn:nid:example.org:group:g")]
    [TestCase("urn:nid:example.org:sub:group:g", "urn:nid:example.org:group:g")]
    [TestCase("urn:nid:example.org:group:g", "urn:nid:example.org:group:G")]
    [TestCase("urn:nid:example.org:group:g:role=r", "urn:nid:example.org:group:g:role=R")]
    public void Equals_PartsDiffer_IsFalse(string left, string right)
    {
        Assert.That(AarcEntitlement.Parse(left), Is.Not.EqualTo(AarcEntitlement.Parse(right)));
    }

    [Test]
    public void Equals_SameTextButDifferentParts_IsFalse()
    {
        // The RFC 8141 components move the namespace end: the same normalised text, other parts.
        var withComponents = AarcEntitlement.Parse("urn:n:d?+q:group:a:group:b", AarcSpec.G069);
        var withoutComponents = AarcEntitlement.Parse(withComponents.ToString(), AarcSpec.G069);

        Assert.Multiple(() =>
        {
            Assert.That(withComponents.ToString(), Is.EqualTo(withoutComponents.ToString()));
            Assert.That(withComponents.Group, Is.EqualTo("a"));
            Assert.That(withoutComponents.Group, Is.EqualTo("b"));
            Assert.That(withComponents, Is.Not.EqualTo(withoutComponents));
        });
    }
}
