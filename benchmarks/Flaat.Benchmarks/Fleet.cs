using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Flaat.Evaluation;
using Flaat.Redis;
using Flaat.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flaat.Benchmarks;

/// <summary>
/// Several replicas, with and without a cache shared on Redis (a console mode, not BenchmarkDotNet;
/// <c>benchmarks/fleet/run.sh</c> starts a Redis server and runs it): how many calls reach the OP for
/// a stream of distinct tokens, and what an L2 hit (another replica's answer, read from Redis) costs
/// against asking the OP. Each replica is a DI container of its own, as in an application: its own
/// engine, in-memory cache and Redis connection; the replicas share one process.
/// </summary>
public static class Fleet
{
    /// <summary>Runs <c>calls</c> and <c>latency</c> (or the ones named).</summary>
    /// <param name="args">
    /// <c>--redis host:port</c> (required), <c>--tokens N</c> (10 000), <c>--replicas 1,3,8</c>,
    /// <c>--parallel N</c> (tokens in flight, 8), <c>--budget MS</c> (Redis operation budget, default
    /// Flaat.Redis'), <c>--samples N</c> (5 000), names.
    /// </param>
    /// <returns>0 when every target was met, 1 otherwise.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        string? redis = null;
        var tokens = 10_000;
        var samples = 5_000;
        var parallel = 8;
        TimeSpan? budget = null;
        int[] replicaCounts = [1, 3, 8];
        var names = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--redis" when i + 1 < args.Length: redis = args[++i]; break;
                case "--tokens" when i + 1 < args.Length: tokens = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--samples" when i + 1 < args.Length: samples = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--parallel" when i + 1 < args.Length: parallel = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--budget" when i + 1 < args.Length: budget = TimeSpan.FromMilliseconds(int.Parse(args[++i], CultureInfo.InvariantCulture)); break;
                case "--replicas" when i + 1 < args.Length: replicaCounts = [.. args[++i].Split(',').Select(n => int.Parse(n, CultureInfo.InvariantCulture))]; break;
                default: names.Add(args[i]); break;
            }
        }

        if (redis is null)
        {
            Console.Error.WriteLine("fleet needs --redis host:port (benchmarks/fleet/run.sh starts a server and passes it).");
            return 2;
        }

        if (names.Count == 0)
        {
            names.AddRange(["calls", "latency"]);
        }

        Console.WriteLine($"Flaat fleet, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, Redis {redis}, "
            + $"operation budget {(budget ?? new FlaatRedisOptions().OperationBudget).TotalMilliseconds:0} ms, {parallel} tokens in flight");
        var met = true;
        foreach (var name in names)
        {
            switch (name)
            {
                case "calls":
                    foreach (var replicas in replicaCounts)
                    {
                        var without = await OpCallsAsync(replicas, tokens, redis: null, parallel, budget).ConfigureAwait(false);
                        var with = await OpCallsAsync(replicas, tokens, redis, parallel, budget).ConfigureAwait(false);
                        met &= with.Refused == 0 && without.Refused == 0 && with.UserInfoCalls == tokens;
                    }

                    break;
                case "latency":
                    await L2HitLatencyAsync(redis, samples, budget).ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentException($"Unknown fleet measurement '{name}': use calls or latency.");
            }
        }

        Console.WriteLine(met ? "All fleet targets met." : "Some fleet target was missed (with Redis: one userinfo call per token across the fleet).");
        return met ? 0 : 1;
    }

    /// <summary>
    /// <paramref name="tokens"/> distinct opaque tokens, each presented once to every one of
    /// <paramref name="replicas"/> replicas at the same moment (a client whose requests the load
    /// balancer spreads), <paramref name="parallel"/> tokens in flight: the userinfo calls the OP gets.
    /// </summary>
    public static async Task<CallsResult> OpCallsAsync(int replicas, int tokens, string? redis, int parallel = 8, TimeSpan? budget = null)
    {
        var op = new InProcessOpenIdProvider("http://127.0.0.1/op");
        var prefix = "flaat-bench:" + Guid.NewGuid().ToString("N")[..8] + ":";
        var keyRing = Directory.CreateTempSubdirectory("flaat-bench-keys-");
        var fleet = Enumerable.Range(0, replicas).Select(_ => Replica(op, redis, prefix, keyRing, budget)).ToArray();
        using var redisMetrics = new RedisMetrics();
        try
        {
            var evaluators = fleet.Select(r => r.GetRequiredService<FlaatEvaluator>()).ToArray();
            var tokenPrefix = "opaque-" + Guid.NewGuid().ToString("N") + "-";
            var next = -1;
            var refused = 0;
            var clock = Stopwatch.StartNew();

            async Task WorkerAsync()
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < tokens)
                {
                    var token = BearerToken.FromToken(tokenPrefix + i.ToString("D17", CultureInfo.InvariantCulture));
                    var outcomes = await Task.WhenAll(evaluators.Select(e => e.EvaluateAsync(token, FlaatFixture.EntitlementPolicy).AsTask())).ConfigureAwait(false);
                    Interlocked.Add(ref refused, outcomes.Count(o => !o.IsAllowed));
                }
            }

            await Task.WhenAll(Enumerable.Range(0, parallel).Select(_ => Task.Run(WorkerAsync))).ConfigureAwait(false);
            clock.Stop();
            var result = new CallsResult(replicas, tokens, redis is not null, op.UserInfoCalls, refused, clock.Elapsed);
            Console.WriteLine(
                $"[calls] {replicas} replica(s) {(redis is null ? "without Redis" : "with Redis   ")}: {tokens:N0} tokens x {replicas} requests, "
                + $"{result.UserInfoCalls,6:N0} userinfo calls ({result.UserInfoCalls / (double)tokens:0.00} per token), {refused} refused, "
                + $"{clock.Elapsed.TotalSeconds:0.0} s ({tokens * replicas / clock.Elapsed.TotalSeconds:N0} requests/s)"
                + (redis is null ? string.Empty : $"; Redis lookups {redisMetrics.Lookups}, errors {redisMetrics.Errors}"));
            return result;
        }
        finally
        {
            foreach (var replica in fleet)
            {
                await replica.DisposeAsync().ConfigureAwait(false);
            }

            op.Dispose();
            keyRing.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The latency of one request with a token this replica has not seen: served from Redis (another
    /// replica asked the OP), against asking a local fake OP over HTTP (Flaat.Testing, 127.0.0.1), and
    /// against an in-memory hit; one request at a time, <paramref name="samples"/> tokens each.
    /// </summary>
    public static async Task L2HitLatencyAsync(string redis, int samples, TimeSpan? budget = null)
    {
        // L2 hits: replica A asks the (in-process) OP for every token; replica B then finds each in Redis.
        var op = new InProcessOpenIdProvider("http://127.0.0.1/op");
        var prefix = "flaat-bench:" + Guid.NewGuid().ToString("N")[..8] + ":";
        var keyRing = Directory.CreateTempSubdirectory("flaat-bench-keys-");
        // A generous budget by default: this times an L2 hit, and a budget overrun on a busy machine
        // would pause Redis for the replica (its breaker) and time OP calls instead.
        budget ??= TimeSpan.FromSeconds(1);
        await using var writer = Replica(op, redis, prefix, keyRing, budget);
        await using var reader = Replica(op, redis, prefix, keyRing, budget);
        var tokens = Enumerable.Range(0, samples).Select(i => BearerToken.FromToken($"opaque-{Guid.NewGuid():N}-{i:D8}")).ToArray();
        var writerEvaluator = writer.GetRequiredService<FlaatEvaluator>();
        foreach (var token in tokens)
        {
            Check.That((await writerEvaluator.EvaluateAsync(token, FlaatFixture.EntitlementPolicy).ConfigureAwait(false)).IsAllowed, "the writer was refused");
        }

        var callsBefore = op.UserInfoCalls;
        var readerEvaluator = reader.GetRequiredService<FlaatEvaluator>();
        var l2 = await TimeAsync(readerEvaluator, tokens).ConfigureAwait(false);
        var l1 = await TimeAsync(readerEvaluator, tokens).ConfigureAwait(false);
        var l1Bytes = await BytesPerRequestAsync(readerEvaluator, tokens).ConfigureAwait(false);
        Report($"L2 hit (Redis, another replica's answer; budget {budget.Value.TotalMilliseconds:0} ms)", l2);
        Console.WriteLine($"[latency]   of these {samples:N0} requests {op.UserInfoCalls - callsBefore:N0} asked the OP (Redis over its budget or paused)");
        Report($"L1 hit with Redis configured ({l1Bytes:0} B per request)", l1);
        op.Dispose();
        keyRing.Delete(recursive: true);

        // OP calls: a replica without Redis, a fake OP on 127.0.0.1 answering userinfo over HTTP.
        using var fake = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { SigningAlgorithms = [FakeSigningKey.RS256] });
        var user = new FakeUser(InProcessOpenIdProvider.Subject)
            .WithClaim("eduperson_entitlement", new[] { "urn:geant:h-df.de:group:m-team:feudal-developers:role=member#login.helmholtz.de" });
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFlaat(options =>
        {
            options.TrustedIssuers.Add(fake.Issuer);
            options.Issuer = fake.Issuer;
            // A busy machine must not turn a slow answer into a refusal (timed are answers, not timeouts).
            options.RequestTimeout = TimeSpan.FromSeconds(10);
        });
        await using var alone = services.BuildServiceProvider();
        var opTokens = Enumerable.Range(0, Math.Min(samples, 2_000)).Select(_ => BearerToken.FromToken(fake.CreateOpaqueToken(user, TimeSpan.FromHours(1)))).ToArray();
        var aloneEvaluator = alone.GetRequiredService<FlaatEvaluator>();
        var first = await aloneEvaluator.EvaluateAsync(BearerToken.FromToken(fake.CreateOpaqueToken(user, TimeSpan.FromHours(1))), FlaatFixture.EntitlementPolicy).ConfigureAwait(false);
        Check.That(first.IsAllowed, $"the fake OP's token was refused: {first.Error?.Description}");
        Report("OP userinfo call (fake OP over HTTP on 127.0.0.1)", await TimeAsync(aloneEvaluator, opTokens).ConfigureAwait(false));
        var aloneL1 = await TimeAsync(aloneEvaluator, opTokens).ConfigureAwait(false);
        Report($"L1 hit without Redis ({await BytesPerRequestAsync(aloneEvaluator, opTokens).ConfigureAwait(false):0} B per request)", aloneL1);
    }

    // What one request with a token seen before allocates (it completes synchronously, on this thread).
    private static async Task<double> BytesPerRequestAsync(FlaatEvaluator evaluator, PresentedToken[] tokens)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var token in tokens)
        {
            var pending = evaluator.EvaluateAsync(token, FlaatFixture.EntitlementPolicy);
            Check.That(pending.IsCompletedSuccessfully, "a request with a token seen before did not complete synchronously");
            await pending.ConfigureAwait(false);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)tokens.Length;
    }

    private static async Task<double[]> TimeAsync(FlaatEvaluator evaluator, PresentedToken[] tokens)
    {
        var times = new double[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var outcome = await evaluator.EvaluateAsync(tokens[i], FlaatFixture.EntitlementPolicy).ConfigureAwait(false);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            Check.That(outcome.IsAllowed, $"refused: {outcome.Error?.Description}");
        }

        Array.Sort(times);
        return times;
    }

    private static void Report(string what, double[] sorted) =>
        Console.WriteLine(
            $"[latency] {what,-52} n={sorted.Length,5:N0}  mean {sorted.Average(),8:0.0} µs  p50 {Percentile(sorted, 0.50),8:0.0} µs  p99 {Percentile(sorted, 0.99),8:0.0} µs");

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>
    /// One replica: Flaat as an application registers it (AddFlaat, and AddRedis when
    /// <paramref name="redis"/> is given, with a key ring shared by the replicas), its OP traffic
    /// routed to the in-process OP.
    /// </summary>
    private static ServiceProvider Replica(InProcessOpenIdProvider op, string? redis, string keyPrefix, DirectoryInfo keyRing, TimeSpan? budget)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var flaat = services.AddFlaat(options =>
        {
            options.TrustedIssuers.Add(op.Issuer);
            options.Issuer = op.Issuer;
            options.Cache.MaxUserInfosLifetime = TimeSpan.FromHours(1);
        });
        if (redis is not null)
        {
            flaat.AddRedis(options =>
            {
                options.Configuration = redis;
                options.KeyPrefix = keyPrefix;
                options.OperationBudget = budget ?? options.OperationBudget;
            });
            // Outcomes are personal data: protected at rest, with one key ring for the fleet.
            services.AddDataProtection().SetApplicationName("flaat-bench").PersistKeysToFileSystem(keyRing);
        }

        services.AddHttpClient(FlaatServiceCollectionExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new InProcessNetwork(op));
        var provider = services.BuildServiceProvider();

        // As an application's host would: Flaat.Redis' start waits (boundedly) for the connection.
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            hosted.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        return provider;
    }

    /// <summary>
    /// Counts Flaat.Redis' measurements (<c>flaat.redis.lookups</c> by result, <c>flaat.redis.errors</c>
    /// by operation) while it lives, so a figure comes with what the shared cache did.
    /// </summary>
    private sealed class RedisMetrics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _lookups = new();
        private readonly ConcurrentDictionary<string, long> _errors = new();

        public RedisMetrics()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name is "flaat.redis.lookups" or "flaat.redis.errors")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                var label = "?";
                foreach (var tag in tags)
                {
                    label = tag.Value?.ToString() ?? "?";
                }

                (instrument.Name == "flaat.redis.lookups" ? _lookups : _errors).AddOrUpdate(label, value, (_, sum) => sum + value);
            });
            _listener.Start();
        }

        public string Lookups => Describe(_lookups);

        public string Errors => Describe(_errors);

        public void Dispose() => _listener.Dispose();

        private static string Describe(ConcurrentDictionary<string, long> counts) =>
            counts.IsEmpty ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value:N0}"));
    }

    /// <summary>The outcome of <see cref="OpCallsAsync"/>.</summary>
    public sealed record CallsResult(int Replicas, int Tokens, bool Redis, int UserInfoCalls, int Refused, TimeSpan Elapsed);
}
