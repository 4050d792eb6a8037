using Flaat.Requirements;

namespace Flaat.Tests.Core.Requirements;

/// <summary>
/// The WLCG Common JWT Profile (v1.0, "Capability-based authorization: scope") and SciTokens 2.0
/// ("Scopes") capabilities, one test per rule, checked for a request whose route value is the path.
/// </summary>
public sealed class WlcgCapabilityTests
{
    private const string Wlcg10 = "\"wlcg.ver\":\"1.0\"";
    private const string Sci20 = "\"ver\":\"scitoken:2.0\"";

    internal static UserInfos Token(string scope, string profile = Wlcg10) =>
        Users.AliceToken($"{profile},\"scope\":\"{scope}\"");

    internal static RequirementContext Path(string path) => new(new object(), new FixedRouteValues(path));

    private static bool Allows(UserInfos user, StorageOperation operation, string path) =>
        Wlcg.Storage(operation, "/{**path}").IsSatisfiedBy(user, Path(path)).IsSatisfied;

    // WLCG profile: "storage.modify ... is a strict superset of storage.create".
    [Test]
    public void StorageModify_ImpliesCreate_WlcgCapabilityScopes()
    {
        var user = Token("storage.modify:/data");

        Assert.Multiple(() =>
        {
            Assert.That(Allows(user, StorageOperation.Create, "data/new"), Is.True);
            Assert.That(Allows(user, StorageOperation.Modify, "data/old"), Is.True);
            Assert.That(Allows(user, StorageOperation.Read, "data/old"), Is.False, "modify does not imply read");
        });
    }

    // WLCG profile: storage.create "does not permit overwriting or deletion of stored data".
    [Test]
    public void StorageCreate_DoesNotImplyModify_WlcgCapabilityScopes()
    {
        var user = Token("storage.create:/data");

        Assert.Multiple(() =>
        {
            Assert.That(Allows(user, StorageOperation.Create, "data/new"), Is.True);
            Assert.That(Allows(user, StorageOperation.Modify, "data/new"), Is.False);
        });
    }

    // WLCG profile: storage.stage "is a superset of storage.read"; storage.read covers online data only.
    [Test]
    public void StorageStage_ImpliesRead_ReadDoesNotImplyStage()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Allows(Token("storage.stage:/tape"), StorageOperation.Read, "tape/f"), Is.True);
            Assert.That(Allows(Token("storage.stage:/tape"), StorageOperation.Stage, "tape/f"), Is.True);
            Assert.That(Allows(Token("storage.read:/tape"), StorageOperation.Stage, "tape/f"), Is.False);
        });
    }

    // SciTokens 2.0 scopes: read is read; write is upload, modify and delete; neither implies the other.
    [Test]
    public void SciTokens_ReadAndWrite_MapToStorageOperations()
    {
        var reader = Token("read:/data", Sci20);
        var writer = Token("write:/data", Sci20);

        Assert.Multiple(() =>
        {
            Assert.That(Allows(reader, StorageOperation.Read, "data/x"), Is.True);
            Assert.That(Allows(reader, StorageOperation.Create, "data/x"), Is.False);
            Assert.That(Allows(writer, StorageOperation.Create, "data/x"), Is.True);
            Assert.That(Allows(writer, StorageOperation.Modify, "data/x"), Is.True);
            Assert.That(Allows(writer, StorageOperation.Read, "data/x"), Is.False);
            Assert.That(Allows(writer, StorageOperation.Stage, "data/x"), Is.False, "SciTokens has no stage");
        });
    }

    // SciTokens 2.0: a scope without a path means the whole namespace.
    [Test]
    public void SciTokens_ScopeWithoutPath_MeansRoot()
    {
        Assert.That(Allows(Token("read", Sci20), StorageOperation.Read, "any/where"), Is.True);
    }

    // WLCG profile: the path MUST be given for storage.*; a token without it MUST be rejected.
    [TestCase("storage.read")]
    [TestCase("storage.read:")]
    [TestCase("storage.read:data")]
    [TestCase("storage.read:/a/../b")]
    public void WlcgStorageScope_WithoutValidPath_TokenRefused(string malformed)
    {
        var result = Wlcg.Storage(StorageOperation.Read, "/{**path}").IsSatisfiedBy(Token($"storage.read:/ {malformed}"), Path("x"));

        Assert.That(result.IsSatisfied, Is.False);
        Assert.That(result.Message, Does.StartWith("Token has a malformed capability scope"));
    }

    [TestCase("/a", "a", true)]
    [TestCase("/a", "a/b/c", true)]
    [TestCase("/a", "ab", false)]
    [TestCase("/a/", "ab", false)]
    [TestCase("/a", "", false)]
    [TestCase("/", "", true)]
    [TestCase("/a//b/./", "a/b/c", true)]
    [TestCase("/a", "a/../b", false)]
    [TestCase("/a", "a/b/../../a/c", false)] // ".." in a request is refused, never resolved
    [TestCase("/a", "a/%2e%2e/b", false)]
    [TestCase("/a", "a%2F..%2Fb", false)]
    [TestCase("/a", "a/%252e%252e/b", false)]
    [TestCase("/a", "a\\..\\b", false)]
    [TestCase("/a", "../a/b", false)]
    [TestCase("/a b", "a%20b/c", false)] // a route value is already decoded: "%20" is literal
    [TestCase("/a b", "a b/c", true)]
    public void Storage_PathCoverage_BySegmentsAfterNormalisation(string granted, string requested, bool allowed)
    {
        Assert.That(Allows(Token($"storage.read:{granted.Replace(" ", "%20", StringComparison.Ordinal)}"), StorageOperation.Read, requested), Is.EqualTo(allowed));
    }

    // WLCG profile, "Common claims": wlcg.ver is "1.0"; an unknown version is refused, saying so.
    [TestCase(Wlcg10, true)]
    [TestCase("\"wlcg.ver\":\"2.0\"", false)]
    [TestCase("\"wlcg.ver\":1.0", false)]
    [TestCase("\"other\":1", false)]
    public void WlcgVersion_OnlyKnownVersionHonoursScopes(string profile, bool allowed)
    {
        var result = Wlcg.Storage(StorageOperation.Read, "/{**path}").IsSatisfiedBy(Token("storage.read:/", profile), Path("x"));

        Assert.That(result.IsSatisfied, Is.EqualTo(allowed), result.Message);
        if (profile.Contains("2.0", StringComparison.Ordinal))
        {
            Assert.That(result.Message, Does.Contain("WLCG profile version '2.0', which Flaat does not know"));
        }
    }

    [Test]
    public void SciTokensVersion_Unknown_RefusedWithMessage()
    {
        var result = Wlcg.Storage(StorageOperation.Read, "/{**path}").IsSatisfiedBy(Token("read:/", "\"ver\":\"scitoken:3.0\""), Path("x"));

        Assert.That(result.IsSatisfied, Is.False);
        Assert.That(result.Message, Does.Contain("SciTokens version 'scitoken:3.0', which Flaat does not know"));
    }

    [Test]
    public void SciTokensScopes_InTokenOfAnotherFormatWithVer_NotHonoured()
    {
        // A ver of another token format (Azure AD's "1.0") is not SciTokens': its read scope means nothing here.
        Assert.That(Allows(Token("read:/", "\"ver\":\"1.0\""), StorageOperation.Read, "x"), Is.False);
    }

    [Test]
    public void Storage_WithoutRequest_FailsClosed()
    {
        var requirement = Wlcg.Storage(StorageOperation.Read, "/{**path}");

        Assert.Multiple(() =>
        {
            Assert.That(requirement.IsSatisfiedBy(Token("storage.read:/")).IsSatisfied, Is.False);
            Assert.That(requirement.IsSatisfiedBy(Token("storage.read:/"), default).IsSatisfied, Is.False);
        });
    }

    [Test]
    public void Storage_FunctionOfRequest_ReadsTheRequestAndRefusesOtherTypes()
    {
        var requirement = Wlcg.Storage<Uri>(StorageOperation.Read, uri => uri.AbsolutePath);
        var user = Token("storage.read:/data");

        Assert.Multiple(() =>
        {
            Assert.That(requirement.IsSatisfiedBy(user, new RequirementContext(new Uri("https://s/data/f"))).IsSatisfied, Is.True);
            Assert.That(requirement.IsSatisfiedBy(user, new RequirementContext(new Uri("https://s/database"))).IsSatisfied, Is.False);
            Assert.That(requirement.IsSatisfiedBy(user, new RequirementContext("not a uri")).IsSatisfied, Is.False);
        });
    }

    [Test]
    public void Storage_InsideMetaRequirements_GetsTheRequest()
    {
        var requirement = new AllOf(Wlcg.Storage(StorageOperation.Read, "/{**path}")) | new Unsatisfiable();

        Assert.That(requirement.IsSatisfiedBy(Token("storage.read:/a"), Path("a/b")).IsSatisfied, Is.True);
    }

    [TestCase("")]
    [TestCase("data/{**path}")]
    [TestCase("/data/{**path")]
    [TestCase("/data/}")]
    [TestCase("/data/{}")]
    public void Storage_InvalidTemplate_Throws(string template)
    {
        Assert.Throws<ArgumentException>(() => Wlcg.Storage(StorageOperation.Read, template));
    }

    [Test]
    public void Storage_TemplateParameterMissing_Refused()
    {
        var result = Wlcg.Storage(StorageOperation.Read, "/data/{name}").IsSatisfiedBy(Token("storage.read:/"), new RequirementContext(new object()));

        Assert.That(result.Message, Is.EqualTo("The request has no route value 'name' for the storage path (does the route have that parameter?)"));
    }

    // WLCG profile: compute.* have no path and no implications between them.
    [Test]
    public void Compute_ExactScopeOnly()
    {
        var user = Token("compute.create compute.read:/x");

        Assert.Multiple(() =>
        {
            Assert.That(Wlcg.Compute(ComputeOperation.Create).IsSatisfiedBy(user).IsSatisfied, Is.False, "a compute scope with a path makes the token malformed");
            Assert.That(Wlcg.Compute(ComputeOperation.Create).IsSatisfiedBy(Token("compute.create")).IsSatisfied, Is.True);
            Assert.That(Wlcg.Compute(ComputeOperation.Cancel).IsSatisfiedBy(Token("compute.create compute.modify")).IsSatisfied, Is.False);
        });
    }

    [TestCase("storage.read:/data/{**path}", true)]
    [TestCase("storage.stage:/", true)]
    [TestCase("compute.cancel", true)]
    [TestCase("storage.read", false)]
    [TestCase("storage.Read:/", false)]
    [TestCase("storage.1:/", false)]
    [TestCase("compute.cancel:/x", false)]
    [TestCase("read:/x", false)]
    public void Capability_ParsesTheProfilesSyntax(string capability, bool valid)
    {
        Assert.That(() => Wlcg.Capability(capability), valid ? Throws.Nothing : Throws.ArgumentException);
    }

    // WLCG profile, "Common claims": aud https://wlcg.cern.ch/jwt/v1/any is for any audience, but
    // honouring it is the relying party's choice: only for an issuer that opted in, only with wlcg.ver.
    [Test]
    public void HasAudience_WlcgAnyAudience_OnlyForOptedInIssuerWithWlcgVer()
    {
        var optedIn = new FlaatOptions();
        optedIn.Issuers.Add(new IssuerOptions { Issuer = "https://op.example/", AcceptWlcgAnyAudience = true });
        var notOptedIn = new FlaatOptions();
        notOptedIn.Issuers.Add(new IssuerOptions { Issuer = "https://op.example" });
        var any = $"\"aud\":\"{Wlcg.AnyAudience}\"";
        bool Satisfied(FlaatOptions? options, string claims) =>
            Require.Audience("https://my.api", options is null ? null : Require.IssuerSupportsAudience(options)).IsSatisfiedBy(Users.AliceToken(claims)).IsSatisfied;

        Assert.Multiple(() =>
        {
            Assert.That(Satisfied(optedIn, $"{Wlcg10},{any}"), Is.True);
            Assert.That(Satisfied(optedIn, $"\"wlcg.ver\":\"1.1\",\"aud\":[\"x\",\"{Wlcg.AnyAudience}\"]"), Is.True);
            Assert.That(Satisfied(notOptedIn, $"{Wlcg10},{any}"), Is.False, "issuer did not opt in");
            Assert.That(Satisfied(null, $"{Wlcg10},{any}"), Is.False, "no issuer settings");
            Assert.That(Satisfied(optedIn, any), Is.False, "no wlcg.ver");
            Assert.That(Satisfied(optedIn, $"\"wlcg.ver\":\"2.0\",{any}"), Is.False, "unknown wlcg.ver");
            Assert.That(Satisfied(optedIn, $"{Wlcg10},\"aud\":\"https://wlcg.cern.ch/jwt/v1/anything\""), Is.False);
            Assert.That(
                Require.Audience("https://my.api", Require.IssuerSupportsAudience(optedIn)).IsSatisfiedBy(Users.AliceToken(any, userInfo: Wlcg10)).IsSatisfied,
                Is.False,
                "wlcg.ver from userinfo does not count");
        });
    }

    // WLCG v1.1, "Groups": relying parties must not consider group memberships not asserted in the token.
    [Test]
    public void Group_UserInfoGroups_NotConsidered()
    {
        var user = Users.AliceToken($"{Wlcg10},\"wlcg.groups\":[\"/cms\"]", userInfo: $"{Wlcg10},\"wlcg.groups\":[\"/cms\",\"/cms/prod\"]");

        Assert.Multiple(() =>
        {
            Assert.That(Wlcg.Group("/cms").IsSatisfiedBy(user).IsSatisfied, Is.True);
            Assert.That(Wlcg.Group("/cms/prod").IsSatisfiedBy(user).IsSatisfied, Is.False);
        });
    }

    // SciTokens 2.0: "read" alone is the whole namespace; "read:" with an explicit empty path is malformed.
    [TestCase("read", true)]
    [TestCase("write", true)]
    [TestCase("read:", false)]
    [TestCase("write:", false)]
    public void CapabilityScope_SciTokensEmptyPath_Refused(string scope, bool parsed)
    {
        Assert.That(CapabilityScope.TryParse(scope, out _, out _), Is.EqualTo(parsed));
    }

    // WLCG v1.1 exists and its tokens say wlcg.ver 1.1.
    [Test]
    public void Storage_WlcgVersion11_Honoured()
    {
        Assert.That(Allows(Token("storage.read:/data", "\"wlcg.ver\":\"1.1\""), StorageOperation.Read, "data/x"), Is.True);
    }

    // WLCG profile, "Groups": wlcg.groups lists group paths; Flaat compares them exactly.
    [Test]
    public void Group_ExactMembershipWithKnownVersion()
    {
        var user = Users.AliceToken($"{Wlcg10},\"wlcg.groups\":[\"/cms/uscms\",\"/cms/uscms/Role=production\"]");

        Assert.Multiple(() =>
        {
            Assert.That(Wlcg.Group("/cms/uscms").IsSatisfiedBy(user).IsSatisfied, Is.True);
            Assert.That(Wlcg.Group("/cms/uscms/Role=production").IsSatisfiedBy(user).IsSatisfied, Is.True);
            Assert.That(Wlcg.Group("/cms").IsSatisfiedBy(user).IsSatisfied, Is.False, "no membership inferred from a sub-group");
            Assert.That(Wlcg.Group("/cms/USCMS").IsSatisfiedBy(user).IsSatisfied, Is.False, "case-sensitive");
            Assert.That(Wlcg.Group("/cms/uscms").IsSatisfiedBy(Users.AliceToken("\"wlcg.groups\":[\"/cms/uscms\"]")).IsSatisfied, Is.False, "no wlcg.ver");
            Assert.That(Wlcg.Group("/cms/uscms").IsSatisfiedBy(Users.AliceToken("\"wlcg.ver\":\"9\",\"wlcg.groups\":[\"/cms/uscms\"]")).Message, Does.Contain("does not know"));
        });
    }

    [TestCase("cms")]
    [TestCase("/")]
    [TestCase("/cms//x")]
    [TestCase("/cms/../x")]
    [TestCase("/cms x")]
    public void Group_InvalidGroup_Throws(string group)
    {
        Assert.Throws<ArgumentException>(() => Wlcg.Group(group));
    }

    /// <summary>Route values for tests: <c>path</c> only.</summary>
    internal sealed class FixedRouteValues(string path) : IFlaatRequestValues
    {
        public string? GetRouteValue(object request, string name) => name == "path" ? path : null;
    }
}
