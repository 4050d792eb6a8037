using Flaat.Engine;

namespace Flaat.Tests.Core;

public sealed class FlaatOptionsValidatorTests
{
    [Test]
    public void Validate_GoodOptions_NoErrors()
    {
        var options = new FlaatOptions { TrustedIssuers = { "https://op.example.org", "http://127.0.0.1:8080" } };

        Assert.That(FlaatOptionsValidator.Validate(options), Is.Empty);
    }

    [Test]
    public void Validate_ManyProblems_EveryOneNamedBySetting()
    {
        var options = new FlaatOptions
        {
            TrustedIssuers = { "https://ok.example.org", "http://insecure.example.org", "" },
            ClientId = "only-id",
            RequestTimeout = TimeSpan.Zero,
            TokenClaimsSuffice = true,
            VerifyJwt = false,
            Issuers = { new IssuerOptions { Issuer = "not a url", ClientSecret = "s" } },
        };
        options.Cache.MaxUserInfos = 0;
        options.Probing.MaxParallelism = 0;
        options.Resilience.CircuitBreakerFailureThreshold = 1;

        var errors = FlaatOptionsValidator.Validate(options);

        Assert.That(errors, Has.Some.StartsWith("Flaat:TrustedIssuers:1 ").And.Some.Contains("AllowInsecureHttpIssuers"));
        Assert.That(errors, Has.Some.StartsWith("Flaat:TrustedIssuers:2 is empty"));
        Assert.That(errors, Has.Some.StartsWith("Flaat:ClientId is set without Flaat:ClientSecret"));
        Assert.That(errors, Has.Some.StartsWith("Flaat:RequestTimeout"));
        Assert.That(errors, Has.Some.StartsWith("Flaat:TokenClaimsSuffice"));
        Assert.That(errors, Has.Some.StartsWith("Flaat:Issuers:0:Issuer"));
        Assert.That(errors, Has.Some.StartsWith("Flaat:Issuers:0:ClientSecret is set without"));
        Assert.That(errors, Has.Some.StartsWith("Flaat:Cache:MaxUserInfos"));
        Assert.That(errors, Has.Some.StartsWith("Flaat:Probing:MaxParallelism"));
        Assert.That(errors, Has.Some.StartsWith("Flaat:Resilience:CircuitBreakerFailureThreshold"));
        Assert.That(errors, Has.Count.EqualTo(10));
    }

    [Test]
    public void Validate_NoIssuerAtAll_Error()
    {
        Assert.That(FlaatOptionsValidator.Validate(new FlaatOptions()), Has.One.StartsWith("Flaat:TrustedIssuers is empty"));
    }

    [Test]
    public void Validate_BadAudiencesTokenTypesAndProbingBudgets_EveryOneNamedBySetting()
    {
        var options = new FlaatOptions
        {
            TrustedIssuers = { "https://op.example.org" },
            Audiences = { "api", " " },
            Issuers =
            {
                new IssuerOptions { Issuer = "https://a.example.org", AccessTokenTypes = { "at+jwt", "at+jwt; charset=x", "" } },
                new IssuerOptions { Issuer = "https://b.example.org", SupportsAudience = false, Audiences = { "api-b" } },
            },
        };
        options.Probing.MaxConcurrentProbes = 0;
        options.Probing.MaxProbesPerSecond = 0;

        var errors = FlaatOptionsValidator.Validate(options);

        Assert.That(errors, Has.One.StartsWith("Flaat:Audiences:1 is empty"));
        Assert.That(errors, Has.One.StartsWith("Flaat:Issuers:0:AccessTokenTypes:1 'at+jwt; charset=x' is not a media type"));
        Assert.That(errors, Has.One.StartsWith("Flaat:Issuers:0:AccessTokenTypes:2 '' is not a media type"));
        Assert.That(errors, Has.One.StartsWith("Flaat:Issuers:1:Audiences is set, but Flaat:Issuers:1:SupportsAudience is false"));
        Assert.That(errors, Has.One.StartsWith("Flaat:Probing:MaxConcurrentProbes must be at least 1"));
        Assert.That(errors, Has.One.StartsWith("Flaat:Probing:MaxProbesPerSecond must be at least 1"));
        Assert.That(errors, Has.Count.EqualTo(6));
    }

    [Test]
    public void Validate_AudiencesAndTokenTypesWellFormed_NoErrors()
    {
        var options = new FlaatOptions
        {
            Audiences = { "https://api.example.org" },
            Issuers = { new IssuerOptions { Issuer = "https://a.example.org", AccessTokenTypes = { "JWT", "application/at+jwt" }, Audiences = { "api-a" } } },
        };

        Assert.That(FlaatOptionsValidator.Validate(options), Is.Empty);
    }

    [Test]
    public void Constructor_InvalidOptions_ThrowsListingTheSettings()
    {
        var error = Assert.Throws<ArgumentException>(() => new FlaatAuthenticator(new FlaatOptions { TrustedIssuers = { "http://insecure.example.org" } }));

        Assert.That(error!.Message, Does.Contain("Flaat:TrustedIssuers:0"));
    }

    [TestCase(1023, 100, 3, "Flaat:Keys:MinimumRsaKeySize must be between 1024 and 16384, not 1023.")]
    [TestCase(16385, 100, 3, "Flaat:Keys:MinimumRsaKeySize must be between 1024 and 16384, not 16385.")]
    [TestCase(2048, 0, 3, "Flaat:Keys:MaxKeysPerSet must be between 1 and 10000, not 0.")]
    [TestCase(2048, 10_001, 3, "Flaat:Keys:MaxKeysPerSet must be between 1 and 10000, not 10001.")]
    [TestCase(2048, 100, 0, "Flaat:Keys:MaxSignatureAttempts must be between 1 and 100, not 0.")]
    [TestCase(2048, 100, 101, "Flaat:Keys:MaxSignatureAttempts must be between 1 and 100, not 101.")]
    public void Validate_KeyLimitOutOfRange_NamedBySetting(int minimumRsaKeySize, int maxKeysPerSet, int maxSignatureAttempts, string expected)
    {
        var options = new FlaatOptions { TrustedIssuers = { "https://op.example.org" } };
        options.Keys.MinimumRsaKeySize = minimumRsaKeySize;
        options.Keys.MaxKeysPerSet = maxKeysPerSet;
        options.Keys.MaxSignatureAttempts = maxSignatureAttempts;

        Assert.That(FlaatOptionsValidator.Validate(options), Is.EqualTo(new[] { expected }));
    }

    [Test]
    public void Validate_KeysMissing_Error()
    {
        var options = new FlaatOptions { TrustedIssuers = { "https://op.example.org" }, Keys = null! };

        Assert.That(FlaatOptionsValidator.Validate(options), Is.EqualTo(new[] { "Flaat:Keys is missing." }));
    }

    [Test]
    public void Keys_Defaults_2048Bits100KeysThreeAttempts()
    {
        var keys = new FlaatOptions().Keys;

        Assert.That((keys.MinimumRsaKeySize, keys.MaxKeysPerSet, keys.MaxSignatureAttempts), Is.EqualTo((2048, 100, 3)));
    }
}
