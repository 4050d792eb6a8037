using BenchmarkDotNet.Attributes;
using Flaat.Evaluation;

namespace Flaat.Benchmarks;

/// <summary>
/// A token Flaat has not seen: hash, decode, RS256 signature check against the cached JWKS, one
/// userinfo call (answered in-process), user infos built and cached, then the requirement. The
/// benchmark cycles through more distinct tokens than the cache holds, so every call is a miss.
/// </summary>
public class FirstRequestBenchmarks : IDisposable
{
    private FlaatFixture _fixture = null!;
    private string[] _tokens = null!;
    private int _next;

    /// <summary>How many distinct tokens are cycled through; the cache holds a quarter of them.</summary>
    public int TokenCount { get; set; } = 2048;

    /// <summary>The userinfo calls the OP has answered so far.</summary>
    public int UserInfoCalls => _fixture.Provider.UserInfoCalls;

    [GlobalSetup]
    public void Setup()
    {
        var bound = Math.Max(TokenCount / 4, 1);
        _fixture = new FlaatFixture(options => options.Cache.MaxUserInfos = bound);
        var now = DateTimeOffset.UtcNow;
        _tokens = [.. Enumerable.Range(0, TokenCount).Select(i => _fixture.Provider.CreateJwt(now))];

        // Discovery and JWKS loaded once, as in a running service.
        var outcome = _fixture.Evaluator.EvaluateAsync(BearerToken.FromToken(_fixture.Token), FlaatFixture.EntitlementPolicy).AsTask().GetAwaiter().GetResult();
        Check.That(outcome.IsAllowed, $"Flaat refused the benchmark token: {outcome.Error?.Description}");
    }

    [Benchmark(Description = "Flaat EvaluateAsync, new JWT (JWKS cached, userinfo in-process)")]
    public ValueTask<FlaatOutcome> FlaatEvaluateNewToken()
    {
        var token = _tokens[_next++ % _tokens.Length];
        return _fixture.Evaluator.EvaluateAsync(BearerToken.FromToken(token), FlaatFixture.EntitlementPolicy);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _fixture?.Dispose();
        GC.SuppressFinalize(this);
    }
}
