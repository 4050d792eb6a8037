namespace Flaat.Tests.Core.Issuers;

public sealed class IssuerUrlTests
{
    [Test]
    public void DiscoveryCandidates_PlainIssuer_WellKnownThenOauth2WellKnown()
    {
        var candidates = IssuerUrl.DiscoveryCandidates("https://op.example.org/realms/x/");

        Assert.That(candidates.Select(u => u.ToString()), Is.EqualTo(new[]
        {
            "https://op.example.org/realms/x/.well-known/openid-configuration",
            "https://op.example.org/realms/x/oauth2/.well-known/openid-configuration",
        }));
    }

    [Test]
    public void DiscoveryCandidates_EndsWithOauth2_SuffixAppendedOnly()
    {
        var candidates = IssuerUrl.DiscoveryCandidates("https://op.example.org/oauth2/");

        Assert.That(candidates.Select(u => u.ToString()), Is.EqualTo(new[] { "https://op.example.org/oauth2/.well-known/openid-configuration" }));
    }

    [Test]
    public void DiscoveryCandidates_DiscoveryUrlGiven_UsedAsIs()
    {
        var candidates = IssuerUrl.DiscoveryCandidates("https://op.example.org/x/.well-known/openid-configuration");

        Assert.That(candidates.Select(u => u.ToString()), Is.EqualTo(new[] { "https://op.example.org/x/.well-known/openid-configuration" }));
    }

    [Test]
    public void DiscoveryCandidates_HttpLoopbackAndDoubleSlashes_SchemeKeptSlashesCollapsed()
    {
        var candidates = IssuerUrl.DiscoveryCandidates("http://127.0.0.1:8080//realms//x");

        Assert.That(candidates[0].ToString(), Is.EqualTo("http://127.0.0.1:8080/realms/x/.well-known/openid-configuration"));
    }

    [TestCase("https://a.example/x", "https://a.example/x/", true)]
    [TestCase("https://a.example/x/", "https://a.example/x", true)]
    [TestCase("https://a.example/x", "https://a.example/y", false)]
    [TestCase("https://a.example/x", null, false)]
    public void AreSame_TrailingSlashIgnored(string left, string? right, bool same) =>
        Assert.That(IssuerUrl.AreSame(left, right), Is.EqualTo(same));

    [TestCase("https://a.example/x", "https://a.example/x//")]
    [TestCase("https://a.example/x//", "https://a.example/x")]
    [TestCase("https://a.example/x/", "https://a.example/x///")]
    [TestCase("https://a.example/x", "https://a.example/x/////")]
    public void AreSame_MoreThanOneTrailingSlash_NotTheSame(string left, string right) =>
        Assert.That(IssuerUrl.AreSame(left, right), Is.False);

    [TestCase("https://a.example/x//", "https://a.example/x/")]
    [TestCase("https://a.example/x/", "https://a.example/x")]
    [TestCase("https://a.example/x", "https://a.example/x")]
    [TestCase(" https://a.example/x/.well-known/openid-configuration", "https://a.example/x")]
    public void Normalize_AtMostOneTrailingSlashDropped(string configured, string normalized) =>
        Assert.That(IssuerUrl.Normalize(configured), Is.EqualTo(normalized));

    [TestCase("http://op.example.org", false, "uses http")]
    [TestCase("http://op.example.org", true, null)]
    [TestCase("http://localhost:8080", false, null)]
    [TestCase("http://127.0.0.1:8080", false, null)]
    [TestCase("ftp://op.example.org", false, "must use https")]
    [TestCase("op.example.org", false, "not an absolute URL")]
    [TestCase("https://op.example.org?x=1", false, "query or fragment")]
    [TestCase("https://single-label-host", false, null)]
    public void Problem_ValidatesScheme(string issuer, bool allowHttp, string? problem)
    {
        var found = IssuerUrl.Problem(issuer, allowHttp);

        Assert.That(found, problem is null ? Is.Null : Does.Contain(problem));
    }
}
