using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flaat.Caching;
using Flaat.Engine;
using Flaat.Diagnostics;
using Flaat.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core.Caching;

/// <summary>
/// What the engine trusts of an <see cref="IFlaatTokenCache"/>: only outcomes stored under its own
/// settings, checked again when they come from outside, and a store that fails costs the cache, never
/// the authentication.
/// </summary>
public sealed class TokenCacheTrustTests
{
    private FakeTimeProvider _time = null!;
    private FakeOpenIdProvider _op = null!;

    [SetUp]
    public void StartOp()
    {
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = _time });
    }

    [TearDown]
    public void StopOp() => _op.Dispose();

    private FlaatAuthenticator Engine(IFlaatTokenCache cache, Action<FlaatOptions>? configure = null, ILoggerFactory? logs = null, IMeterFactory? meters = null, params FakeOpenIdProvider[] ops)
    {
        var options = EngineTestKit.OptionsFor(ops.Length == 0 ? [_op] : ops);
        configure?.Invoke(options);
        return new FlaatAuthenticator(options, timeProvider: _time, tokenCache: cache, loggerFactory: logs, meterFactory: meters);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task AuthenticateAsync_CacheSharedWithAnApiOfAnotherAudience_RefusedAsThisApiAloneWould(bool sharedStore)
    {
        IFlaatTokenCache shared = sharedStore ? new JsonTokenCache() : new SharedMemoryCache();
        var token = _op.CreateJwt(new FakeUser("bob"), Audience("api-a"));
        using var apiA = Engine(shared, options => options.Audiences.Add("api-a"));
        using var apiB = Engine(shared, options => options.Audiences.Add("api-b"));
        using var apiBAlone = Engine(new SharedMemoryCache(), options => options.Audiences.Add("api-b"));

        var accepted = await apiA.AuthenticateAsync(new AuthenticationRequest(token));
        var fromShared = await apiB.AuthenticateAsync(new AuthenticationRequest(token));
        var alone = await apiBAlone.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(accepted.Error, Is.Null);
            Assert.That(alone.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(fromShared.UserInfos, Is.Null, "API-A's success is not API-B's");
            Assert.That(fromShared.Error?.StatusCode, Is.EqualTo(401));
            Assert.That(fromShared.Error?.Description, Is.EqualTo(alone.Error?.Description));
        });
    }

    [Test]
    public async Task AuthenticateAsync_CachedSuccessOfAnIssuerThisEngineDoesNotTrust_NotServed()
    {
        using var other = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = _time });
        var store = new JsonTokenCache();
        var untrustedToken = _op.CreateJwt(new FakeUser("mallory"));
        using (var trustsBoth = Engine(store, ops: [_op, other]))
        {
            Assert.That((await trustsBoth.AuthenticateAsync(new AuthenticationRequest(untrustedToken))).Error, Is.Null);
        }

        // The outcome is relabelled with the fingerprint of an engine that trusts only the other OP, as
        // a store written by another version, or by hand, could hold it.
        using var trustsOther = Engine(store, ops: [other]);
        Assert.That((await trustsOther.AuthenticateAsync(new AuthenticationRequest(other.CreateJwt(new FakeUser("bob"))))).Error, Is.Null);
        var fingerprints = store.Stored.Values.Select(json => JsonNode.Parse(json)![nameof(TokenOutcome.ConfigurationFingerprint)]!.GetValue<string>()).ToList();
        var key = TokenHash.Compute(untrustedToken).ToHexString();
        var relabelled = JsonNode.Parse(store.Stored[key])!;
        relabelled[nameof(TokenOutcome.ConfigurationFingerprint)] = fingerprints.Single(value => value != relabelled[nameof(TokenOutcome.ConfigurationFingerprint)]!.GetValue<string>());
        store.Stored[key] = relabelled.ToJsonString();

        var result = await trustsOther.AuthenticateAsync(new AuthenticationRequest(untrustedToken));

        Assert.Multiple(() =>
        {
            Assert.That(result.UserInfos, Is.Null, "a user of an issuer this engine does not trust");
            Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task AuthenticateAsync_CacheReturnsAnEmptyOutcome_MissAndTheOpIsAsked(bool withTheEnginesFingerprint)
    {
        var token = _op.CreateJwt(new FakeUser("bob"));
        var fingerprint = withTheEnginesFingerprint ? await FingerprintOf(configure: null) : null;
        var cache = new OneOutcomeCache(new TokenOutcome { ExpiresAt = _time.GetUtcNow().AddMinutes(5), ConfigurationFingerprint = fingerprint });
        var userInfoCalls = _op.RequestCount(FakeOpenIdEndpoint.UserInfo);
        using var engine = Engine(cache);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(cache.Reads, Is.GreaterThanOrEqualTo(2), "both reads returned the empty outcome");
            Assert.That(result.Error, Is.Null);
            Assert.That(result.UserInfos!.Subject, Is.EqualTo("bob"));
            Assert.That(result.UserInfos.Issuer, Is.EqualTo(_op.Issuer));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(userInfoCalls + 1));
        });
    }

    [TestCase("UserInfo", "[]")]
    [TestCase("UserInfo", "not json")]
    [TestCase("UserInfo", """{"sub":"bob","sub":"mallory"}""")]
    [TestCase("UserInfo", """{"\ud800":"lone surrogate"}""")]
    [TestCase("UserInfo", "deep")]
    [TestCase("TokenBody", "\"a string\"")]
    [TestCase("TokenBody", """{"exp":1e300}""")]
    [TestCase("TokenHeader", """{"alg":"RS256","alg":"none"}""")]
    [TestCase("Introspection", "null")]
    public async Task AuthenticateAsync_CachedOutcomeWithHostileJson_MissAndTheOpIsAsked(string member, string json)
    {
        var token = _op.CreateJwt(new FakeUser("bob"));
        var store = new JsonTokenCache();
        using (var replica = Engine(store))
        {
            await replica.AuthenticateAsync(new AuthenticationRequest(token));
        }

        var stored = System.Text.Json.Nodes.JsonNode.Parse(store.Stored.Values.Single())!;
        stored[member] = json == "deep" ? new string('[', 100_000) + new string(']', 100_000) : json;
        var cache = new OneOutcomeCache(stored.Deserialize<TokenOutcome>()!);
        var userInfoCalls = _op.RequestCount(FakeOpenIdEndpoint.UserInfo);
        using var engine = Engine(cache);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(result.Error, Is.Null);
            Assert.That(result.UserInfos!.Subject, Is.EqualTo("bob"));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.EqualTo(userInfoCalls + 1), "the hostile outcome was not served");
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task AuthenticateAsync_CachedExpiresAtRewrittenBeyondTheTokensExp_NotServedPastExp(bool inMemory)
    {
        var store = new JsonTokenCache();
        var token = _op.CreateJwt(new FakeUser("bob"), new FakeTokenOptions { Lifetime = TimeSpan.FromMinutes(2) });
        using (var replica = Engine(store))
        {
            Assert.That((await replica.AuthenticateAsync(new AuthenticationRequest(token))).Error, Is.Null);
        }

        var stored = JsonNode.Parse(store.Stored.Values.Single())!;
        stored[nameof(TokenOutcome.ExpiresAt)] = _time.GetUtcNow().AddDays(1);
        store.Stored[store.Stored.Keys.Single()] = stored.ToJsonString();
        IFlaatTokenCache cache = inMemory ? new OneOutcomeCache(stored.Deserialize<TokenOutcome>()!) : store;
        _time.Advance(TimeSpan.FromMinutes(3));
        using var engine = Engine(cache);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(result.UserInfos, Is.Null, "the token expired a minute ago (30 s clock skew)");
            Assert.That(result.Error?.StatusCode, Is.EqualTo(401));
        });
    }

    [Test]
    public async Task AuthenticateAsync_CachedRefusalKeptForADay_ServedNoLongerThanTheRejectionLifetime()
    {
        var token = _op.CreateJwt(new FakeUser("bob"));
        var refusal = new TokenOutcome
        {
            ExpiresAt = _time.GetUtcNow().AddDays(1),
            StatusCode = 401,
            Error = "Unauthenticated",
            ErrorDescription = "Token has been revoked",
            ConfigurationFingerprint = await FingerprintOf(configure: null),
        };
        using var engine = Engine(new OneOutcomeCache(refusal));

        var first = await engine.AuthenticateAsync(new AuthenticationRequest(token));
        _time.Advance(new FlaatCacheOptions().RejectionLifetime + TimeSpan.FromSeconds(1));
        var later = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.Multiple(() =>
        {
            Assert.That(first.Error?.Description, Is.EqualTo("Token has been revoked"), "served while within this engine's rejection lifetime");
            Assert.That(later.Error, Is.Null, "not served beyond it: the OP was asked");
            Assert.That(later.UserInfos!.Subject, Is.EqualTo("bob"));
        });
    }

    [TestCase(200, "Unauthenticated")]
    [TestCase(401, null)]
    public async Task AuthenticateAsync_CachedRefusalWithoutAnErrorStatusOrName_MissAndTheOpIsAsked(int status, string? error)
    {
        var token = _op.CreateJwt(new FakeUser("bob"));
        var refusal = new TokenOutcome
        {
            ExpiresAt = _time.GetUtcNow().AddMinutes(1),
            StatusCode = status,
            Error = error,
            ConfigurationFingerprint = await FingerprintOf(configure: null),
        };
        using var engine = Engine(new OneOutcomeCache(refusal));

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(token));

        Assert.That(result.UserInfos?.Subject, Is.EqualTo("bob"));
    }

    [TestCase(CacheFault.TryGet, 2050, "try_get")]
    [TestCase(CacheFault.Get, 2051, "get")]
    [TestCase(CacheFault.Set, 2052, "set")]
    public async Task AuthenticateAsync_CacheThrows_AuthenticatedByTheOpAndWarnedOncePerBurst(CacheFault fault, int eventId, string operation)
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var errors = new MetricCollector<long>(meters, FlaatDiagnostics.MeterName, "flaat.cache.errors");
        var logs = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var engine = Engine(new FailingCache(fault), logs: factory, meters: meters);

        var results = new List<AuthenticationResult>();
        for (var i = 0; i < 5; i++)
        {
            results.Add(await engine.AuthenticateAsync(new AuthenticationRequest(_op.CreateJwt(new FakeUser("user" + i)))));
        }

        List<(LogLevel Level, EventId Id, string Message)> warnings;
        lock (logs.Entries)
        {
            warnings = logs.Entries.Where(entry => entry.Id.Id == eventId).ToList();
        }

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(result => result.UserInfos?.Subject), Is.EqualTo(Enumerable.Range(0, 5).Select(i => "user" + i)));
            Assert.That(warnings, Has.Count.EqualTo(1), "one warning for the burst");
            Assert.That(warnings.Single().Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(warnings.Single().Message, Does.Contain("Redis is down"));
            Assert.That(errors.GetMeasurementSnapshot().Select(m => m.Tags["flaat.cache.operation"]), Is.EqualTo(Enumerable.Repeat(operation, 5)));
        });
    }

    [Test]
    public async Task AuthenticateAsync_CachedToken_SynchronousWithoutAllocation()
    {
        using var engine = Engine(new SharedMemoryCache());
        var request = new AuthenticationRequest(_op.CreateJwt(new FakeUser("bob")));
        Assert.That((await engine.AuthenticateAsync(request)).Error, Is.Null);
        for (var i = 0; i < 100; i++)
        {
            _ = engine.AuthenticateAsync(request);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var synchronous = 0;
        for (var i = 0; i < 1000; i++)
        {
            if (engine.AuthenticateAsync(request).IsCompletedSuccessfully)
            {
                synchronous++;
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(synchronous, Is.EqualTo(1000));
        Assert.That(allocated, Is.Zero);
    }

    public enum CacheFault
    {
        TryGet,
        Get,
        Set,
    }

    private static FakeTokenOptions Audience(string audience)
    {
        var options = new FakeTokenOptions();
        options.Audiences.Add(audience);
        return options;
    }

    /// <summary>The fingerprint an engine with these settings writes into the outcomes it stores.</summary>
    private async Task<string> FingerprintOf(Action<FlaatOptions>? configure)
    {
        var store = new JsonTokenCache();
        using var engine = Engine(store, configure);
        await engine.AuthenticateAsync(new AuthenticationRequest(_op.CreateJwt(new FakeUser("probe"))));
        return JsonNode.Parse(store.Stored.Values.Single())![nameof(TokenOutcome.ConfigurationFingerprint)]!.GetValue<string>();
    }

    /// <summary>A user's in-memory cache shared by several engines in one process: hands back the instances it was given.</summary>
    private sealed class SharedMemoryCache : IFlaatTokenCache
    {
        private readonly ConcurrentDictionary<TokenHash, TokenOutcome> _entries = new();

        public bool TryGet(TokenHash key, DateTimeOffset now, [NotNullWhen(true)] out TokenOutcome? outcome) =>
            _entries.TryGetValue(key, out outcome) && outcome.ExpiresAt > now;

        public ValueTask<TokenOutcome?> GetAsync(TokenHash key, CancellationToken cancellationToken) =>
            new(_entries.TryGetValue(key, out var outcome) ? outcome : null);

        public ValueTask SetAsync(TokenHash key, TokenOutcome outcome, CancellationToken cancellationToken)
        {
            _entries[key] = outcome;
            return ValueTask.CompletedTask;
        }

        public ValueTask RemoveAsync(TokenHash key, CancellationToken cancellationToken)
        {
            _entries.TryRemove(key, out _);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A shared store that is down for one kind of call.</summary>
    private sealed class FailingCache(CacheFault fault) : IFlaatTokenCache
    {
        public bool TryGet(TokenHash key, DateTimeOffset now, [NotNullWhen(true)] out TokenOutcome? outcome)
        {
            outcome = null;
            return fault == CacheFault.TryGet ? throw new IOException("Redis is down") : false;
        }

        public async ValueTask<TokenOutcome?> GetAsync(TokenHash key, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return fault == CacheFault.Get ? throw new IOException("Redis is down") : null;
        }

        public ValueTask SetAsync(TokenHash key, TokenOutcome outcome, CancellationToken cancellationToken) =>
            fault == CacheFault.Set ? throw new IOException("Redis is down") : ValueTask.CompletedTask;

        public ValueTask RemoveAsync(TokenHash key, CancellationToken cancellationToken) =>
            fault == CacheFault.Set ? throw new IOException("Redis is down") : ValueTask.CompletedTask;

        public ValueTask ReleaseAsync(TokenHash key, CancellationToken cancellationToken) =>
            fault == CacheFault.Set ? throw new IOException("Redis is down") : ValueTask.CompletedTask;

        public ValueTask<string?> GetIssuerAsync(TokenHash key, CancellationToken cancellationToken) =>
            fault == CacheFault.Get ? throw new IOException("Redis is down") : ValueTask.FromResult<string?>(null);

        public ValueTask SetIssuerAsync(TokenHash key, string issuer, DateTimeOffset expiresAt, CancellationToken cancellationToken) =>
            fault == CacheFault.Set ? throw new IOException("Redis is down") : ValueTask.CompletedTask;
    }
}
