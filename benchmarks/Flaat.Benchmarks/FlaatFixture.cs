using Flaat.Engine;
using Flaat.Evaluation;
using Flaat.Requirements;

namespace Flaat.Benchmarks;

/// <summary>
/// One in-process OP, Flaat's engine and evaluator over it, and a ~730-character RS256 token:
/// what every benchmark and cold-path measurement starts from.
/// </summary>
public sealed class FlaatFixture : IDisposable
{
    /// <summary>Creates the fixture.</summary>
    /// <param name="configure">Changes Flaat's settings before the engine is built.</param>
    /// <param name="providers">The providers; one at <c>http://127.0.0.1/op</c> when none are given.</param>
    public FlaatFixture(Action<FlaatOptions>? configure = null, params InProcessOpenIdProvider[] providers)
    {
        Providers = providers.Length > 0 ? providers : [new InProcessOpenIdProvider("http://127.0.0.1/op")];
        Provider = Providers[0];
        var options = new FlaatOptions();
        foreach (var provider in Providers)
        {
            options.TrustedIssuers.Add(provider.Issuer);
        }

        configure?.Invoke(options);
        Http = new HttpClient(new InProcessNetwork([.. Providers]));
        Authenticator = new FlaatAuthenticator(options, Http);
        Evaluator = new FlaatEvaluator(Authenticator);
        Token = Provider.CreateJwt(DateTimeOffset.UtcNow);
    }

    /// <summary>A typical policy: an AARC entitlement the user holds through a subgroup.</summary>
    public static FlaatPolicy EntitlementPolicy { get; } = new() { UserRequirement = Require.Vo(InProcessOpenIdProvider.RequiredEntitlement) };

    /// <summary>The providers.</summary>
    public IReadOnlyList<InProcessOpenIdProvider> Providers { get; }

    /// <summary>The first provider, which issued <see cref="Token"/>.</summary>
    public InProcessOpenIdProvider Provider { get; }

    /// <summary>The client the engine calls the providers with.</summary>
    public HttpClient Http { get; }

    /// <summary>The token engine.</summary>
    public FlaatAuthenticator Authenticator { get; }

    /// <summary>The evaluator over <see cref="Authenticator"/>.</summary>
    public FlaatEvaluator Evaluator { get; }

    /// <summary>An RS256 access token of <see cref="Provider"/>.</summary>
    public string Token { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Authenticator.Dispose();
        Http.Dispose();
        foreach (var provider in Providers)
        {
            provider.Dispose();
        }
    }
}
