namespace Flaat.Tests.Core;

/// <summary>One named lifetime per purpose: the token → issuer memo and stale configuration have their own settings.</summary>
public sealed class FlaatCacheOptionsTests
{
    [Test]
    public void Defaults_TodaysValues()
    {
        var cache = new FlaatCacheOptions();

        Assert.That(cache.TokenIssuerLifetime, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(cache.StaleConfigurationLifetime, Is.EqualTo(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void Validate_LifetimesOutOfRange_MessagesNameTheConfigurationPaths()
    {
        var options = new FlaatOptions { TrustedIssuers = { "https://op.example" } };
        options.Cache.TokenIssuerLifetime = TimeSpan.Zero;
        options.Cache.StaleConfigurationLifetime = TimeSpan.FromSeconds(-1);

        var errors = FlaatOptionsValidator.Validate(options);

        Assert.That(errors, Has.Some.StartsWith("Flaat:Cache:TokenIssuerLifetime"));
        Assert.That(errors, Has.Some.StartsWith("Flaat:Cache:StaleConfigurationLifetime"));
    }
}
