using BenchmarkDotNet.Attributes;
using Flaat.Evaluation;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Flaat.Benchmarks;

/// <summary>
/// A request whose token Flaat has seen before (the common case), beside what JwtBearer does on
/// every request: <see cref="JsonWebTokenHandler.ValidateTokenAsync(string, TokenValidationParameters)"/>
/// of the same RS256 token with the same keys.
/// </summary>
public class CachedPathBenchmarks : IDisposable
{
    private FlaatFixture _fixture = null!;
    private PresentedToken _token = null!;
    private string _header = null!;
    private JsonWebTokenHandler _handler = null!;
    private TokenValidationParameters _parameters = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new FlaatFixture();
        _token = BearerToken.FromToken(_fixture.Token);
        _header = "Bearer " + _fixture.Token;
        (_handler, _parameters) = JwtBearerEquivalent.Create(_fixture.Provider);

        // Both sides must accept the token, or the numbers mean nothing.
        var outcome = _fixture.Evaluator.EvaluateAsync(_token, FlaatFixture.EntitlementPolicy).AsTask().GetAwaiter().GetResult();
        Check.That(outcome.IsAllowed, $"Flaat refused the benchmark token: {outcome.Error?.Description}");
        var validation = _handler.ValidateTokenAsync(_fixture.Token, _parameters).GetAwaiter().GetResult();
        Check.That(validation.IsValid, $"JsonWebTokenHandler refused the benchmark token: {validation.Exception?.Message}");
    }

    /// <summary>The token the benchmarks use (for reports and smoke tests).</summary>
    public string Token => _fixture.Token;

    [Benchmark(Baseline = true, Description = "JsonWebTokenHandler.ValidateTokenAsync")]
    public Task<TokenValidationResult> JsonWebTokenHandlerValidate() => _handler.ValidateTokenAsync(_fixture.Token, _parameters);

    [Benchmark(Description = "Flaat EvaluateAsync, cached token + AARC entitlement")]
    public ValueTask<FlaatOutcome> FlaatEvaluateCached() => _fixture.Evaluator.EvaluateAsync(_token, FlaatFixture.EntitlementPolicy);

    [Benchmark(Description = "Flaat EvaluateAsync from the Authorization header (reused instance, as Kestrel does)")]
    public ValueTask<FlaatOutcome> FlaatEvaluateCachedFromHeader() =>
        _fixture.Evaluator.EvaluateAsync(BearerToken.FromAuthorizationHeader(_header), FlaatFixture.EntitlementPolicy);

    [Benchmark(Description = "Flaat EvaluateAsync from a new header string each time")]
    public ValueTask<FlaatOutcome> FlaatEvaluateCachedFromNewHeader() =>
        _fixture.Evaluator.EvaluateAsync(BearerToken.FromAuthorizationHeader(new string(_header.AsSpan())), FlaatFixture.EntitlementPolicy);

    [Benchmark(Description = "Flaat AuthenticateAsync, cached token")]
    public ValueTask<AuthenticationResult> FlaatAuthenticateCached() => _fixture.Authenticator.AuthenticateAsync(new AuthenticationRequest(_fixture.Token));

    [Benchmark(Description = "of which: SHA-256 of the token (the cache key)")]
    public int TokenHashOnly() => TokenHash.Compute(_fixture.Token).GetHashCode();

    [GlobalCleanup]
    public void Dispose()
    {
        _fixture?.Dispose();
        GC.SuppressFinalize(this);
    }
}
