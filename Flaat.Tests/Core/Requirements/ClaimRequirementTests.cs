using System.Text.Json;
using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

public sealed class ClaimRequirementTests
{
    [TestCase("\"email\":\"alice@example.org\"", true)]
    [TestCase("\"email\":\"bob@example.org\"", false)]
    [TestCase("\"email\":\"ALICE@example.org\"", false)]
    public void HasClaim_ScalarString_SatisfiedByEquality(string claims, bool expected)
    {
        var result = new HasClaim("alice@example.org", "email").IsSatisfiedBy(Users.Alice(claims));

        Assert.That(result.IsSatisfied, Is.EqualTo(expected));
    }

    [Test]
    public void HasClaim_Match_MessageNamesValueAndClaim()
    {
        var result = new HasClaim("alice@example.org", "email").IsSatisfiedBy(Users.Alice("\"email\":\"alice@example.org\""));

        Assert.That(result.Message, Is.EqualTo("Match for the required value 'alice@example.org' of claim 'email'"));
    }

    [Test]
    public void HasClaim_NoMatch_FlaatMessage()
    {
        var result = new HasClaim("admins", "groups").IsSatisfiedBy(Users.Alice("\"groups\":[\"users\"]"));

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.False);
            Assert.That(result.Message, Is.EqualTo("User has no claim 'groups' with value: 'admins'"));
        });
    }

    [TestCase("")]
    [TestCase("\"groups\":null")]
    public void HasClaim_MissingOrNull_IsNotAvailable(string claims)
    {
        var result = new HasClaim("admins", "groups").IsSatisfiedBy(Users.Alice(claims));

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.False);
            Assert.That(result.Message, Is.EqualTo("Claim 'groups' is not available"));
        });
    }

    [TestCase("[\"users\",\"admins\"]", true)]
    [TestCase("[\"admins\"]", true)]
    [TestCase("[\"users\",\"admins-2\"]", false)]
    [TestCase("[]", false)]
    [TestCase("[null,1,{\"admins\":true},[\"admins\"]]", false)]
    public void HasClaim_ListClaim_SatisfiedByAnyEqualElement(string list, bool expected)
    {
        var result = new HasClaim("admins", "groups").IsSatisfiedBy(Users.Alice($"\"groups\":{list}"));

        Assert.That(result.IsSatisfied, Is.EqualTo(expected));
    }

    [TestCase("true", "true", true)]
    [TestCase("true", "false", false)]
    [TestCase("false", "false", true)]
    [TestCase("True", "true", false)]
    [TestCase("42", "42", true)]
    [TestCase("42", "42.0", false)]
    [TestCase("-1.5", "-1.5", true)]
    [TestCase("42", "\"42\"", true)]
    [TestCase("42", "[41,42]", true)]
    [TestCase("true", "[false,true]", true)]
    [TestCase("null", "\"null\"", true)]
    [TestCase("{}", "{}", false)]
    public void HasClaim_BooleansAndNumbers_CompareByJsonText(string required, string claimJson, bool expected)
    {
        var result = new HasClaim(required, "c").IsSatisfiedBy(Users.Alice($"\"c\":{claimJson}"));

        Assert.That(result.IsSatisfied, Is.EqualTo(expected));
    }

    [Test]
    public void HasClaim_EscapedStringClaim_ComparesTheValue()
    {
        var result = new HasClaim("a\"b/é", "c").IsSatisfiedBy(Users.Alice("\"c\":\"a\\\"b\\/\\u00e9\""));

        Assert.That(result.IsSatisfied, Is.True);
    }

    [Test]
    public void HasClaim_ClaimOnlyInJwtBody_IsFound()
    {
        var jwt = new AccessTokenInfo(
            JsonDocument.Parse("""{"alg":"RS256"}""").RootElement,
            JsonDocument.Parse("""{"entitlements":["x"]}""").RootElement,
            "c2ln",
            "RS256");
        var user = new UserInfos(jwt, JsonDocument.Parse("""{"sub":"a"}""").RootElement);

        Assert.That(new HasClaim("x", "entitlements").IsSatisfiedBy(user).IsSatisfied, Is.True);
    }

    [TestCase("")]
    [TestCase("  ")]
    public void HasClaim_EmptyClaimName_ThrowsNamingTheProblem(string claim)
    {
        Assert.That(
            () => new HasClaim("x", claim),
            Throws.ArgumentException.With.Message.Contains("claim name must not be empty").And.Property(nameof(ArgumentException.ParamName)).EqualTo("claim"));
    }

    [Test]
    public void HasClaim_ExposesRequiredAndClaim()
    {
        var requirement = new HasClaim("v", "c");

        Assert.That((requirement.Required, requirement.Claim), Is.EqualTo(("v", "c")));
    }

    [TestCase("\"aud\":\"my-api\"", true)]
    [TestCase("\"aud\":[\"other\",\"my-api\"]", true)]
    [TestCase("\"aud\":\"other\"", false)]
    [TestCase("\"aud\":[\"other\"]", false)]
    public void HasAudience_StringOrList_SatisfiedWhenAudienceIsPresent(string claims, bool expected)
    {
        var result = new HasAudience("my-api").IsSatisfiedBy(Users.Alice(claims));

        Assert.That(result.IsSatisfied, Is.EqualTo(expected));
    }

    [Test]
    public void HasAudience_NoAudClaim_IsNotAvailable()
    {
        var result = new HasAudience("my-api").IsSatisfiedBy(Users.Alice());

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.False);
            Assert.That(result.Message, Is.EqualTo("Claim 'aud' is not available"));
        });
    }

    [Test]
    public void HasAudience_IssuerWithoutAudienceSupport_IsSatisfiedSayingItWasIgnored()
    {
        string? askedFor = null;
        var requirement = new HasAudience("my-api", issuer => (askedFor = issuer) != "https://op.example");

        var result = requirement.IsSatisfiedBy(Users.Alice("\"aud\":\"other\""));

        Assert.Multiple(() =>
        {
            Assert.That(askedFor, Is.EqualTo("https://op.example"));
            Assert.That(result.IsSatisfied, Is.True);
            Assert.That(result.Message, Is.EqualTo("Issuer does not support audience setting, ignoring audience requirement."));
        });
    }

    [Test]
    public void HasAudience_IssuerWithAudienceSupport_IsChecked()
    {
        var requirement = new HasAudience("my-api", _ => true);

        var result = requirement.IsSatisfiedBy(Users.Alice("\"aud\":\"other\""));

        Assert.Multiple(() =>
        {
            Assert.That(result.IsSatisfied, Is.False);
            Assert.That(result.Message, Is.EqualTo("User has no claim 'aud' with value: 'my-api'"));
        });
    }

    [TestCase("\"scope\":\"openid storage.read profile\"", true)]
    [TestCase("\"scope\":\"storage.read\"", true)]
    [TestCase("\"scope\":\"  storage.read  \"", true)]
    [TestCase("\"scope\":[\"openid\",\"storage.read\"]", true)]
    [TestCase("\"scope\":[\"openid profile\",\"email storage.read\"]", true)]
    [TestCase("\"scope\":\"storage.read\\u0020email\"", true)]
    [TestCase("\"scope\":\"storage.readwrite storage\"", false)]
    [TestCase("\"scope\":\"openid storage.read.all\"", false)]
    [TestCase("\"scope\":\"\"", false)]
    [TestCase("\"scope\":42", false)]
    public void HasScope_SpaceSeparatedClaim_SatisfiedWhenAWordMatches(string claims, bool expected)
    {
        var result = new HasScope("storage.read").IsSatisfiedBy(Users.Alice(claims));

        Assert.That(result.IsSatisfied, Is.EqualTo(expected));
    }

    [Test]
    public void HasScope_Messages_NameScopeAndClaim()
    {
        var requirement = new HasScope("storage.read", "scp");

        Assert.Multiple(() =>
        {
            Assert.That(requirement.IsSatisfiedBy(Users.Alice()).Message, Is.EqualTo("Claim 'scp' is not available"));
            Assert.That(requirement.IsSatisfiedBy(Users.Alice("\"scp\":\"openid\"")).Message, Is.EqualTo("User has no scope 'storage.read' in claim 'scp'"));
            Assert.That(requirement.IsSatisfiedBy(Users.Alice("\"scp\":\"storage.read\"")).Message, Is.EqualTo("Scope 'storage.read' is granted by claim 'scp'"));
        });
    }

    [TestCase("")]
    [TestCase("a b")]
    public void HasScope_NotOneWord_Throws(string scope)
    {
        Assert.That(() => new HasScope(scope), Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("required"));
    }
}
