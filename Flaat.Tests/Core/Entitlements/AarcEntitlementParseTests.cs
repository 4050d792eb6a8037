using Flaat.Entitlements;

namespace Flaat.Tests.Core.Entitlements;

public sealed class AarcEntitlementParseTests
{
    private static readonly AarcSpec[] AllSpecs = [AarcSpec.G069, AarcSpec.G002, AarcSpec.G002Strict];
    private static readonly AarcSpec[] LaxSpecs = [AarcSpec.G069, AarcSpec.G002];

    private static AarcEntitlement Read(string value, AarcSpec spec)
    {
        Assert.That(AarcEntitlement.TryParse(value, spec, out var entitlement), Is.True, value);
        return entitlement!;
    }

    private static void AssertParts(
        AarcEntitlement e, string nid, string delegated, string[] subnamespaces, string group, string[] subgroups, string? role, string? authority)
    {
        Assert.Multiple(() =>
        {
            Assert.That(e.NamespaceId, Is.EqualTo(nid), "namespace id");
            Assert.That(e.DelegatedNamespace, Is.EqualTo(delegated), "delegated namespace");
            Assert.That(e.Subnamespaces, Is.EqualTo(subnamespaces), "subnamespaces");
            Assert.That(e.Group, Is.EqualTo(group), "group");
            Assert.That(e.Subgroups, Is.EqualTo(subgroups), "subgroups");
            Assert.That(e.Role, Is.EqualTo(role), "role");
            Assert.That(e.GroupAuthority, Is.EqualTo(authority), "authority");
        });
    }

    [Test]
    public void TryParse_FullEntitlement_ReadsEveryPartUnderEverySpec([ValueSource(nameof(AllSpecs))] AarcSpec spec)
    {
        const string Value = "urn:geant:h-df.de:sub1:sub2:group:aai-admin:special:deeper:role=member#unity.helmholtz-data-federation.de";

        var e = Read(Value, spec);

        AssertParts(e, "geant", "h-df.de", ["sub1", "sub2"], "aai-admin", ["special", "deeper"], "member", "unity.helmholtz-data-federation.de");
        Assert.That((e.ToString(), e.Spec), Is.EqualTo((Value, spec)));
    }

    [Test]
    public void TryParse_MinimalEntitlement_HasNoOptionalParts([ValueSource(nameof(LaxSpecs))] AarcSpec spec)
    {
        var e = Read("urn:geant:kit.edu:group:DFN-SLCS", spec);

        AssertParts(e, "geant", "kit.edu", [], "DFN-SLCS", [], null, null);
    }

    [TestCase("urn:geant:h-df.de:group:aai-admin:role=admin")]
    [TestCase("urn:geant:h-df.de:group:aai-admin")]
    [TestCase("urn:geant:kit.edu:group:DFN-SLCS")]
    public void TryParse_NoAuthority_ValidUnlessStrict(string value)
    {
        Assert.Multiple(() =>
        {
            Assert.That(AarcEntitlement.TryParse(value, AarcSpec.G069, out _), Is.True);
            Assert.That(AarcEntitlement.TryParse(value, AarcSpec.G002, out _), Is.True);
            Assert.That(AarcEntitlement.TryParse(value, AarcSpec.G002Strict, out var strict), Is.False);
            Assert.That(strict, Is.Null);
        });
    }

    [TestCase("")]
    [TestCase("urn")]
    [TestCase("urn:")]
    [TestCase("urn:geant")]
    [TestCase("urn:geant:")]
    [TestCase("urn::h-df.de:group:g")]
    [TestCase("urn:geant::group:g")]
    [TestCase("urn:geant:h-df.de:group:g:")]
    [TestCase("urn:geant:h-df.de:group:g::s")]
    [TestCase("urn:geant:h-df.de:group:")]
    [TestCase("urn:geant:h-df.de:group")]
    [TestCase("urn:geant:h-df.de:GROUP:g")]
    [TestCase("urn:geant:h-df.de:Group:g")]
    [TestCase("urn:geant:h-df.de:sub::group:g")]
    [TestCase("urn:geant:h-df.de:group::g")]
    [TestCase("urn:geant:h-df.de:group:g#")]
    [TestCase("urn:geant:h-df.de:group:g#line\nbreak")]
    [TestCase("urn:geant:h-df.de:group:g#authority\n")]
    [TestCase("urn:geant:group:g")]
    [TestCase("urn:geant:h-df.de:sub?x:group:g")]
    [TestCase("urn:geant:h-df.de:sub#x:more:group:g")]
    [TestCase("urn:geant:?:group:g")]
    [TestCase("urn:geant:h-df.de:group:#a")]
    [TestCase("urn:geant:h-df.de:group:g:s:#a")]
    [TestCase("urn:geant:h-df.de:group:a:group:b::")]
    [TestCase("geant:h-df.de:group:g")]
    [TestCase(" urn:geant:h-df.de:group:g")]
    [TestCase("urx:geant:h-df.de:group:g")]
    [TestCase("urn;geant:h-df.de:group:g")]
    public void TryParse_Invalid_IsFalseUnderEverySpec(string value)
    {
        foreach (var spec in AllSpecs)
        {
            Assert.That(AarcEntitlement.TryParse(value, spec, out var e), Is.False, $"{spec}: {value}");
            Assert.That(e, Is.Null);
        }
    }

    [Test]
    public void TryParse_Null_IsFalse([ValueSource(nameof(AllSpecs))] AarcSpec spec)
    {
        Assert.That(AarcEntitlement.TryParse(null, spec, out var e), Is.False);
        Assert.That(e, Is.Null);
    }

    [Test]
    public void TryParse_UndefinedSpec_IsFalse()
    {
        Assert.That(AarcEntitlement.TryParse("urn:nid:example.org:group:g", (AarcSpec)42, out _), Is.False);
    }

    [Test]
    public void TryParse_UrnPrefixCase_AnyCaseOnlyUnderG069()
    {
        Assert.Multiple(() =>
        {
            Assert.That(AarcEntitlement.TryParse("URN:nid:example.org:group:g", AarcSpec.G069, out var g069), Is.True);
            Assert.That(g069!.ToString(), Is.EqualTo("urn:nid:example.org:group:g"));
            Assert.That(AarcEntitlement.TryParse("uRn:nid:example.org:group:g", AarcSpec.G069, out _), Is.True);
            Assert.That(AarcEntitlement.TryParse("URN:nid:example.org:group:g", AarcSpec.G002, out _), Is.False);
            Assert.That(AarcEntitlement.TryParse("Urn:nid:example.org:group:g#a", AarcSpec.G002Strict, out _), Is.False);
        });
    }

    [TestCase("URN:NID:EXAMPLE.ORG:group:Minun%20Ryhm%C3%A4ni")]
    [TestCase("UrN:NiD:ExAmPlE.oRg:group:Minun%20Ryhm%c3%a4ni")]
    [TestCase("URN:nid:example.org:group:Minun%20Ryhm%C3%A4ni")]
    [TestCase("urn:nid:example.org:group:Minun%20Ryhm%c3%a4ni")]
    [TestCase("urn:nid:example.org:group:Minun%20Ryhm%c3%A4ni")]
    public void ToString_G069_IsNormalised(string unnormalised)
    {
        const string Normalised = "urn:nid:example.org:group:Minun%20Ryhm%C3%A4ni";

        var e = Read(unnormalised, AarcSpec.G069);

        Assert.Multiple(() =>
        {
            Assert.That(e.ToString(), Is.EqualTo(Normalised));
            Assert.That(e, Is.EqualTo(Read(Normalised, AarcSpec.G069)));
        });
    }

    [Test]
    public void TryParse_G069_LowerCasesNamespaceOnly()
    {
        var e = Read("URN:GeAnT:H-DF.De:Sub:group:AAI-Admin:Special:role=Member#Unity.DE%2fx", AarcSpec.G069);

        AssertParts(e, "geant", "h-df.de", ["sub"], "AAI-Admin", ["Special"], "Member", "Unity.DE%2Fx");
        Assert.That(e.ToString(), Is.EqualTo("urn:geant:h-df.de:sub:group:AAI-Admin:Special:role=Member#Unity.DE%2Fx"));
    }

    [Test]
    public void TryParse_G002_KeepsEveryCase()
    {
        var e = Read("urn:GeAnT:H-DF.De:Sub:group:AAI-Admin:role=Member#Unity", AarcSpec.G002);

        AssertParts(e, "GeAnT", "H-DF.De", ["Sub"], "AAI-Admin", [], "Member", "Unity");
    }

    [Test]
    public void TryParse_G069NonAsciiNamespace_IsLowerCasedInvariantly()
    {
        var e = Read("urn:nid:ÄBC.example:group:Ä", AarcSpec.G069);

        Assert.That((e.DelegatedNamespace, e.Group), Is.EqualTo(("äbc.example", "Ä")));
    }

    [TestCase("colon%3A")]
    [TestCase("equals%3D")]
    [TestCase("space%0A")]
    [TestCase("hash%23")]
    [TestCase("questionmark%3F")]
    public void TryParse_G069PercentEncodedGroup_IsKeptEncoded(string group)
    {
        var e = Read($"urn:geant:h-df.de:group:{group}", AarcSpec.G069);

        Assert.That(e.Group, Is.EqualTo(group));
    }

    [TestCase("urn:nid:example.org:group:a%zz", "a%zz")]
    [TestCase("urn:nid:example.org:group:a%4", "a%4")]
    [TestCase("urn:nid:example.org:group:a%", "a%")]
    [TestCase("urn:nid:example.org:group:%%4a", "%%4A")]
    [TestCase("urn:nid:example.org:group:%aB%Cd", "%AB%CD")]
    public void TryParse_G069MalformedOrMixedEscapes_OnlyHexPairsAreUpperCased(string value, string group)
    {
        Assert.That(Read(value, AarcSpec.G069).Group, Is.EqualTo(group));
    }

    [Test]
    public void TryParse_G002_DecodesTheWholeValueFirst()
    {
        // %3A is ':' and %23 is '#': after decoding they separate parts.
        var e = Read("urn%3Ageant:h-df.de:group:a%20b%3Asub%3Arole=x%23auth%C3%A4", AarcSpec.G002);

        AssertParts(e, "geant", "h-df.de", [], "a b", ["sub"], "x", "authä");
        Assert.That(e.ToString(), Is.EqualTo("urn:geant:h-df.de:group:a b:sub:role=x#authä"));
    }

    [Test]
    public void TryParse_G069EncodedSeparators_AreNotSeparators()
    {
        var e = Read("urn:geant:h-df.de:group:a%3Asub%23x", AarcSpec.G069);

        AssertParts(e, "geant", "h-df.de", [], "a%3Asub%23x", [], null, null);
    }

    [Test]
    public void TryParse_G002StrictWithEncodedAuthority_IsValid()
    {
        var e = Read("urn:geant:h-df.de:group:g%23auth", AarcSpec.G002Strict);

        Assert.That(e.GroupAuthority, Is.EqualTo("auth"));
    }

    [TestCase("%C3", "\uFFFD")]
    [TestCase("%C3%A4", "ä")]
    [TestCase("%c3%a4", "ä")]
    [TestCase("%C3a%A4", "\uFFFDa\uFFFD")]
    [TestCase("%E2%82", "\uFFFD")]
    [TestCase("%FF%FE", "\uFFFD\uFFFD")]
    [TestCase("%zz%4", "%zz%4")]
    [TestCase("%%41", "%A")]
    [TestCase("%2541", "%41")]
    [TestCase("é%41", "éA")]
    public void TryParse_G002PercentDecoding_ReplacesInvalidUtf8AndKeepsBrokenEscapes(string encodedGroup, string group)
    {
        Assert.That(Read($"urn:nid:example.org:group:x{encodedGroup}", AarcSpec.G002).Group, Is.EqualTo($"x{group}"));
    }

    [Test]
    public void TryParse_G002NothingToDecode_KeepsTheSameString()
    {
        const string Value = "urn:nid:example.org:group:a%zz";

        Assert.That(Read(Value, AarcSpec.G002).ToString(), Is.SameAs(Value));
    }

    [Test]
    public void TryParse_G069AlreadyNormalised_KeepsTheSameString()
    {
        const string Value = "urn:nid:example.org:sub:group:g:s:role=r#a%2F";

        Assert.That(Read(Value, AarcSpec.G069).ToString(), Is.SameAs(Value));
    }

    [TestCase("urn:nid:example.org?+foo:group:g")]
    [TestCase("urn:nid:example.org?+foo#baz:group:g")]
    [TestCase("urn:nid:example.org?+foo?=bar:group:g")]
    [TestCase("urn:nid:example.org?+foo?=bar#baz:group:g")]
    [TestCase("urn:nid:example.org?=bar:group:g")]
    [TestCase("urn:nid:example.org?=bar#baz:group:g")]
    [TestCase("urn:nid:example.org#baz:group:g")]
    [TestCase("urn:nid:example.org?=b?+r:group:g")]
    [TestCase("urn:nid:example.org#f?+r:group:g")]
    public void TryParse_G069UrnComponents_AreIgnored(string value)
    {
        var e = Read(value, AarcSpec.G069);

        Assert.Multiple(() =>
        {
            Assert.That(e, Is.EqualTo(Read("urn:nid:example.org:group:g", AarcSpec.G069)));
            Assert.That(e.ToString(), Is.EqualTo("urn:nid:example.org:group:g"));
        });
    }

    [Test]
    public void TryParse_G069UrnComponentsAfterSubnamespace_AreIgnored()
    {
        var e = Read("urn:nid:example.org:Sub?+r?=q#f:group:g:s#auth", AarcSpec.G069);

        AssertParts(e, "nid", "example.org", ["sub"], "g", ["s"], null, "auth");
        Assert.That(e.ToString(), Is.EqualTo("urn:nid:example.org:sub:group:g:s#auth"));
    }

    [TestCase("urn:nid:example.org?+foo:group:g")]
    [TestCase("urn:nid:example.org?=bar:group:g")]
    [TestCase("urn:nid:example.org#baz:group:g")]
    public void TryParse_G002UrnComponents_AreInvalid(string value)
    {
        Assert.That(AarcEntitlement.TryParse(value, AarcSpec.G002, out _), Is.False);
    }

    [TestCase("urn:nid:example.org?+:group:g")]
    [TestCase("urn:nid:example.org?=:group:g")]
    [TestCase("urn:nid:example.org#:group:g")]
    [TestCase("urn:nid:example.org?=a?+b#c#d?x:group")]
    [TestCase("urn:nid:example.org?+r?+s:group:g")]
    [TestCase("urn:nid:example.org#f#g:x:group:g")]
    [TestCase("urn:nid:example.org?x:group:g")]
    [TestCase("urn:nid:example.org?+r:sub:group:g")]
    [TestCase("urn:nid:?+r:group:g")]
    public void TryParse_G069MalformedUrnComponents_AreInvalid(string value)
    {
        Assert.That(AarcEntitlement.TryParse(value, AarcSpec.G069, out _), Is.False);
    }

    [Test]
    public void TryParse_NamespaceIdWithQuestionMarkAndHash_IsAllowed([ValueSource(nameof(LaxSpecs))] AarcSpec spec)
    {
        var e = Read("urn:a?b#c:example.org:group:g", spec);

        AssertParts(e, "a?b#c", "example.org", [], "g", [], null, null);
    }

    [Test]
    public void TryParse_LiteralsAreCaseSensitive([ValueSource(nameof(AllSpecs))] AarcSpec spec)
    {
        // "Role=" is not a role but a subgroup; "GROUP" is not the group marker.
        var e = Read("urn:nid:example.org:group:g:Role=admin#a", spec);

        AssertParts(e, "nid", "example.org", [], "g", ["Role=admin"], null, "a");
        Assert.That(AarcEntitlement.TryParse("urn:nid:example.org:GROUP:g#a", spec, out _), Is.False);
    }

    [Test]
    public void TryParse_RoleRunsToTheAuthority_AndMayHoldColons([ValueSource(nameof(AllSpecs))] AarcSpec spec)
    {
        var e = Read("urn:nid:example.org:group:g:s:role=a:b:role=c:#x:y#z", spec);

        AssertParts(e, "nid", "example.org", [], "g", ["s"], "a:b:role=c:", "x:y#z");
    }

    [Test]
    public void TryParse_EmptyRole_IsASubgroupNamedRoleEquals([ValueSource(nameof(LaxSpecs))] AarcSpec spec)
    {
        var e = Read("urn:nid:example.org:group:g:role=", spec);

        AssertParts(e, "nid", "example.org", [], "g", ["role="], null, null);
    }

    [Test]
    public void TryParse_GroupNamedRoleEquals_IsAGroup([ValueSource(nameof(LaxSpecs))] AarcSpec spec)
    {
        var e = Read("urn:nid:example.org:group:role=x:s", spec);

        AssertParts(e, "nid", "example.org", [], "role=x", ["s"], null, null);
    }

    [Test]
    public void TryParse_SeveralGroupMarkers_TheLastValidOneEndsTheNamespace([ValueSource(nameof(LaxSpecs))] AarcSpec spec)
    {
        Assert.Multiple(() =>
        {
            AssertParts(Read("urn:nid:example.org:group:a:group:b", spec), "nid", "example.org", ["group", "a"], "b", [], null, null);
            AssertParts(Read("urn:nid:example.org:group:group:g", spec), "nid", "example.org", ["group"], "g", [], null, null);

            // The last marker leaves an empty group behind it; the one before it has a role that takes the rest.
            AssertParts(Read("urn:nid:example.org:group:a:role=r:group::", spec), "nid", "example.org", [], "a", [], "r:group::", null);

            // A '?' in a segment ends the namespace: the marker after it is part of the groups.
            AssertParts(Read("urn:nid:example.org:group:a?:group:b", spec), "nid", "example.org", [], "a?", ["group", "b"], null, null);
        });
    }

    [Test]
    public void TryParse_GroupWithQuestionMark_IsAllowed([ValueSource(nameof(AllSpecs))] AarcSpec spec)
    {
        var e = Read("urn:nid:example.org:group:g?x:s?+y#a", spec);

        AssertParts(e, "nid", "example.org", [], "g?x", ["s?+y"], null, "a");
    }

    [Test]
    public void TryParse_ControlCharacters_AreKeptInGroups([ValueSource(nameof(LaxSpecs))] AarcSpec spec)
    {
        var e = Read("urn:nid:example.org:group:g\u0000\t\n\u007f", spec);

        Assert.That(e.Group, Is.EqualTo("g\u0000\t\n\u007f"));
    }

    [Test]
    public void TryParse_MaxLength_IsTheLimit()
    {
        var prefix = "urn:nid:example.org:group:";
        var longest = prefix + new string('g', AarcEntitlement.MaxLength - prefix.Length);

        Assert.Multiple(() =>
        {
            Assert.That(AarcEntitlement.TryParse(longest, AarcSpec.G069, out _), Is.True);
            Assert.That(AarcEntitlement.TryParse(longest + "g", AarcSpec.G069, out _), Is.False);
        });
    }

    private static IEnumerable<TestCaseData> HostileInputs()
    {
        const int Megabyte = 1 << 20;
        var underLimit = AarcEntitlement.MaxLength;
        yield return new TestCaseData(new string(':', Megabyte)).SetArgDisplayNames("1 MB of colons");
        yield return new TestCaseData("urn:" + new string(':', Megabyte)).SetArgDisplayNames("urn and 1 MB of colons");
        yield return new TestCaseData(string.Concat(Enumerable.Repeat("%FF", Megabyte / 3))).SetArgDisplayNames("1 MB of percent escapes");
        yield return new TestCaseData("urn:" + new string(':', underLimit - 4)).SetArgDisplayNames("colons up to the limit");
        yield return new TestCaseData(Fill("urn:n:d", ":group:", underLimit)).SetArgDisplayNames("group markers up to the limit");
        yield return new TestCaseData(Fill("urn:n:d", ":group:g:", underLimit) + ":").SetArgDisplayNames("group markers and a trailing colon");
        yield return new TestCaseData(Fill("urn:n:d", ":group:role=", underLimit) + "#").SetArgDisplayNames("role markers and an empty authority");
        yield return new TestCaseData(Fill("urn:n:d?+r?=q#f", ":group:", underLimit) + "::").SetArgDisplayNames("components and group markers");
        yield return new TestCaseData(Fill("urn:n:d", "?+?=#", underLimit)).SetArgDisplayNames("component markers");
        yield return new TestCaseData(Fill("urn:n:d", "%", underLimit)).SetArgDisplayNames("percent signs up to the limit");
        yield return new TestCaseData(Fill("urn:n:d:group:g", "%e", underLimit)).SetArgDisplayNames("half escapes up to the limit");
        yield return new TestCaseData(Fill("urn:n:d:group:g", "%C3%A4%ff", underLimit)).SetArgDisplayNames("escapes up to the limit");
        yield return new TestCaseData(Fill("urn:n:d:group:g", "\0\n\r\u001b", underLimit) + ":").SetArgDisplayNames("control characters");
        yield return new TestCaseData(Fill("urn:n:d:group:g", "\uD800", underLimit)).SetArgDisplayNames("lone surrogates");
    }

    private static string Fill(string start, string repeated, int length)
    {
        var builder = new System.Text.StringBuilder(start);
        while (builder.Length + repeated.Length <= length - 1)
        {
            builder.Append(repeated);
        }

        return builder.ToString();
    }

    [TestCaseSource(nameof(HostileInputs))]
    public void TryParse_HostileInput_ReturnsWithoutThrowing(string value)
    {
        foreach (var spec in AllSpecs)
        {
            Assert.That(() => AarcEntitlement.TryParse(value, spec, out _), Throws.Nothing, spec.ToString());
        }
    }

    [Test]
    public void TryParse_OneMegabyteOfColons_IsFalse([ValueSource(nameof(AllSpecs))] AarcSpec spec)
    {
        Assert.That(AarcEntitlement.TryParse(new string(':', 1 << 20), spec, out _), Is.False);
    }

    [Test]
    public void TryParse_ManyGroupMarkersUnderTheLimit_TakesTheLast()
    {
        var value = Fill("urn:n:d", ":group:g", AarcEntitlement.MaxLength);

        var e = Read(value, AarcSpec.G069);

        Assert.That((e.Group, e.Subgroups.Count, e.Subnamespaces.Count), Is.EqualTo(("g", 0, ((value.Length - 7) / 8 * 2) - 2)));
    }

    [Test]
    public void Parse_Valid_ReturnsTheEntitlement()
    {
        var e = AarcEntitlement.Parse("urn:geant:h-df.de:group:aai-admin");

        Assert.That((e.Spec, e.Group), Is.EqualTo((AarcSpec.G069, "aai-admin")));
    }

    [Test]
    public void Parse_Null_ThrowsArgumentNull()
    {
        Assert.That(() => AarcEntitlement.Parse(null!), Throws.ArgumentNullException);
    }

    [Test]
    public void Parse_UndefinedSpec_ThrowsArgumentOutOfRange()
    {
        Assert.That(() => AarcEntitlement.Parse("urn:nid:example.org:group:g", (AarcSpec)42), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [TestCase("", AarcSpec.G069, "'' is not a valid AARC-G069 entitlement: it is empty.")]
    [TestCase("URN:nid:example.org:group:g", AarcSpec.G002, "'URN:nid:example.org:group:g' is not a valid AARC-G002 entitlement: it must start with lower-case 'urn:' followed by a namespace id (at index 0).")]
    [TestCase("uri:nid:example.org:group:g", AarcSpec.G069, "'uri:nid:example.org:group:g' is not a valid AARC-G069 entitlement: it must start with 'urn:' (in any case) followed by a namespace id (at index 0).")]
    [TestCase("urn::example.org:group:g", AarcSpec.G069, "'urn::example.org:group:g' is not a valid AARC-G069 entitlement: the namespace id after 'urn:' is empty (at index 4).")]
    [TestCase("urn:nid", AarcSpec.G069, "'urn:nid' is not a valid AARC-G069 entitlement: the namespace id must be followed by ':' and a delegated namespace that does not start with ':', '?' or '#' (at index 7).")]
    [TestCase("urn:nid:example.org:grp:g", AarcSpec.G002, "'urn:nid:example.org:grp:g' is not a valid AARC-G002 entitlement: it has no ':group:<group>' after a valid namespace (namespace parts must be non-empty, without '?' or '#').")]
    [TestCase("urn:nid:example.org:group:g", AarcSpec.G002Strict, "'urn:nid:example.org:group:g' is not a valid strict AARC-G002 entitlement: strict AARC-G002 requires a group authority ('#<authority>') at the end (at index 27).")]
    [TestCase("urn:nid:example.org:group:g#", AarcSpec.G069, "'urn:nid:example.org:group:g#' is not a valid AARC-G069 entitlement: the group authority after '#' is empty (at index 27).")]
    [TestCase("urn:nid:example.org:group:g#a\nb", AarcSpec.G069, "'urn:nid:example.org:group:g#a\nb' is not a valid AARC-G069 entitlement: the group authority contains a line break (at index 29).")]
    [TestCase("urn:nid:example.org:group::s", AarcSpec.G069, "'urn:nid:example.org:group::s' is not a valid AARC-G069 entitlement: the group after ':group:' is empty (at index 26).")]
    [TestCase("urn:nid:example.org:group:g::s", AarcSpec.G069, "'urn:nid:example.org:group:g::s' is not a valid AARC-G069 entitlement: a subgroup is empty ('::' or a trailing ':') (at index 28).")]
    [TestCase("urn:nid:example.org?+r:group:g:", AarcSpec.G069, "'urn:nid:example.org?+r:group:g:' is not a valid AARC-G069 entitlement: a subgroup is empty ('::' or a trailing ':') (at index 31).")]
    [TestCase("urn:nid:example.org:group:g%3A", AarcSpec.G002, "'urn:nid:example.org:group:g%3A' is not a valid AARC-G002 entitlement: a subgroup is empty ('::' or a trailing ':') (at index 28 of the percent-decoded value).")]
    public void Parse_Invalid_ThrowsFormatExceptionSayingWhatIsWrong(string value, AarcSpec spec, string message)
    {
        Assert.That(() => AarcEntitlement.Parse(value, spec), Throws.InstanceOf<FormatException>().With.Message.EqualTo(message));
    }

    [Test]
    public void Parse_TooLong_SaysSoAndShortensTheValue()
    {
        var value = new string(':', AarcEntitlement.MaxLength + 1);

        Assert.That(
            () => AarcEntitlement.Parse(value),
            Throws.InstanceOf<FormatException>().With.Message.EqualTo($"'{new string(':', 200)}...' is not a valid AARC-G069 entitlement: it is longer than 8192 characters."));
    }
}
