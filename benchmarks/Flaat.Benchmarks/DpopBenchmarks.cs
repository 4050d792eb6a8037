using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Flaat.Caching;
using Flaat.Evaluation;
using Flaat.Tokens;

namespace Flaat.Benchmarks;

/// <summary>
/// What DPoP (RFC 9449) adds to a request whose token is cached: the DPoP binder's whole check of
/// a fresh ES256 proof (decode, typ/alg/jwk, htm/htu/iat/ath, the key's thumbprint and the
/// signature, the jti replay lookup in the in-memory cache) beside one ES256 signature check on
/// Flaat's signature path. Target: within 2x the signature check.
/// </summary>
public class DpopBenchmarks : IDisposable
{
    private const string Url = "https://api.example.org/items";
    private const string AccessToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln";

    private ECDsa _ecdsa = null!;
    private DpopTokenBinder _binder = null!;
    private UserInfos _user = null!;
    private string _proof = null!;
    private SigningKey _key = null!;
    private byte[] _input = null!;
    private byte[] _signature = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var q = _ecdsa.ExportParameters(false).Q;
        var x = Base64Url.EncodeToString(q.X);
        var y = Base64Url.EncodeToString(q.Y);
        var jwk = $$"""{"kty":"EC","crv":"P-256","x":"{{x}}","y":"{{y}}"}""";
        var thumbprint = DpopKey.ComputeThumbprint($$"""{"crv":"P-256","kty":"EC","x":"{{x}}","y":"{{y}}"}""");
        var ath = DpopProof.AccessTokenHash(AccessToken);
        var header = B64($$"""{"typ":"dpop+jwt","alg":"ES256","jwk":{{jwk}}}""");
        var payload = B64($$"""{"jti":"bench","htm":"GET","htu":"{{Url}}","iat":{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}},"ath":"{{ath}}"}""");
        _input = Encoding.ASCII.GetBytes(header + "." + payload);
        _signature = _ecdsa.SignData(_input, HashAlgorithmName.SHA256);
        _proof = header + "." + payload + "." + Base64Url.EncodeToString(_signature);

        using var body = JsonDocument.Parse("{\"iss\":\"https://op.example\",\"sub\":\"alice\",\"cnf\":{\"jkt\":\"" + thumbprint + "\"}}");
        using var jwsHeader = JsonDocument.Parse("""{"alg":"RS256"}""");
        using var empty = JsonDocument.Parse("{}");
        _user = new UserInfos(new AccessTokenInfo(jwsHeader.RootElement.Clone(), body.RootElement.Clone(), "sig", "RS256"), empty.RootElement.Clone());

        // Every proof is the same text here, so the replay cache gets a new key per call: the lookup is
        // paid as in production, without the benchmark refusing its own proof as a replay.
        var options = new FlaatOptions();
        options.Dpop.ProofLifetime = TimeSpan.FromHours(1);
        _binder = new DpopTokenBinder(options, new DistinctKeys(new MemoryReplayCache(50_000_000)));
        _key = DpopKey.TryRead(JsonDocument.Parse(jwk).RootElement, null, out _)!.Key;

        var error = BindProof().AsTask().GetAwaiter().GetResult();
        Check.That(error is null, $"the DPoP binder refused the benchmark proof: {error?.Description}");
        Check.That(Es256SignatureCheck(), "the signature does not verify");
    }

    [Benchmark(Baseline = true, Description = "one ES256 signature check (Flaat's signature path)")]
    public bool Es256SignatureCheck() => SignatureVerifier.Verify(_key, "ES256", _input, _signature);

    [Benchmark(Description = "DPoP binder: a fresh proof on a cached token, replay lookup included")]
    public ValueTask<FlaatError?> BindProof() =>
        _binder.BindAsync(new TokenBindingContext(DpopToken.FromAuthorizationHeader("DPoP " + AccessToken, [_proof], "GET", Url), _user, null), CancellationToken.None);

    [GlobalCleanup]
    public void Dispose()
    {
        _ecdsa?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private sealed class DistinctKeys(IFlaatReplayCache inner) : IFlaatReplayCache
    {
        private long _counter;

        public ValueTask<bool> TryAddAsync(string key, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
            inner.TryAddAsync(key + Interlocked.Increment(ref _counter).ToString(System.Globalization.CultureInfo.InvariantCulture), expiresAt, cancellationToken);
    }
}
