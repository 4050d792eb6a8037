using System.Diagnostics;
using System.Globalization;
using Flaat.Evaluation;

namespace Flaat.Benchmarks;

/// <summary>
/// The cold-path measurements (a console mode, not BenchmarkDotNet): concurrent first requests,
/// probing several OPs, and a stream of distinct tokens against the cache bound.
/// </summary>
public static class ColdPath
{
    /// <summary>Runs the measurements named in <paramref name="args"/> (<c>flight</c>, <c>probe</c>, <c>memory</c>; all by default).</summary>
    /// <param name="args">The names, and <c>--tokens N</c> for the memory stream (default one million).</param>
    /// <returns>0 when every target was met, 1 otherwise.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        var tokens = 1_000_000;
        var names = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--tokens" && i + 1 < args.Length)
            {
                tokens = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else
            {
                names.Add(args[i]);
            }
        }

        if (names.Count == 0)
        {
            names.AddRange(["flight", "probe", "memory"]);
        }

        Console.WriteLine($"Flaat cold path, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var met = true;
        foreach (var name in names)
        {
            met &= name switch
            {
                "flight" => (await ConcurrentFirstRequestsAsync(200).ConfigureAwait(false)).Met,
                "probe" => (await ProbeAsync(8, TimeSpan.FromMilliseconds(50)).ConfigureAwait(false)).Met,
                "memory" => (await TokenStreamAsync(tokens, cacheBound: 10_000).ConfigureAwait(false)).Met,
                _ => throw new ArgumentException($"Unknown cold-path measurement '{name}': use flight, probe or memory."),
            };
        }

        Console.WriteLine(met ? "All cold-path targets met." : "Some cold-path target was missed.");
        return met ? 0 : 1;
    }

    /// <summary>Many requests with one new token at once: how many userinfo calls reach the OP (target: one).</summary>
    public static async Task<FlightResult> ConcurrentFirstRequestsAsync(int requests, TimeSpan? userInfoLatency = null)
    {
        using var fixture = new FlaatFixture(null, new InProcessOpenIdProvider("http://127.0.0.1/op", userInfoLatency ?? TimeSpan.FromMilliseconds(20)));
        var token = BearerToken.FromToken(fixture.Token);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requestTasks = Enumerable.Range(0, requests).Select(async _ =>
        {
            await start.Task.ConfigureAwait(false);
            return await fixture.Evaluator.EvaluateAsync(token, FlaatFixture.EntitlementPolicy).ConfigureAwait(false);
        }).ToArray();

        var clock = Stopwatch.StartNew();
        start.SetResult();
        var outcomes = await Task.WhenAll(requestTasks).ConfigureAwait(false);
        clock.Stop();

        var result = new FlightResult(
            requests,
            outcomes.Count(o => o.IsAllowed),
            fixture.Provider.UserInfoCalls,
            fixture.Provider.DiscoveryCalls,
            fixture.Provider.JwksCalls,
            clock.Elapsed);
        Console.WriteLine(
            $"[flight] {result.Requests} concurrent first requests with one token: {result.Allowed} allowed, "
            + $"{result.UserInfoCalls} userinfo call(s), {result.DiscoveryCalls} discovery, {result.JwksCalls} JWKS, "
            + $"all done in {result.Elapsed.TotalMilliseconds:0.0} ms (userinfo latency {(userInfoLatency ?? TimeSpan.FromMilliseconds(20)).TotalMilliseconds:0} ms). "
            + $"Target 1 userinfo call: {(result.Met ? "met" : "MISSED")}.");
        return result;
    }

    /// <summary>
    /// An opaque token from the last of <paramref name="providers"/> trusted OPs, each answering
    /// userinfo after <paramref name="latency"/>: the time to find its issuer, against the same with
    /// one trusted OP (target: under 1.5×). Discovery is warm in both, as in a running service.
    /// </summary>
    public static async Task<ProbeResult> ProbeAsync(int providers, TimeSpan latency, int rounds = 7)
    {
        var one = await MedianProbeAsync(1, latency, rounds).ConfigureAwait(false);
        var many = await MedianProbeAsync(providers, latency, rounds).ConfigureAwait(false);
        var result = new ProbeResult(providers, latency, one, many);
        Console.WriteLine(
            $"[probe] opaque token, userinfo latency {latency.TotalMilliseconds:0} ms per OP, median of {rounds}: "
            + $"1 OP {one.TotalMilliseconds:0.0} ms, {providers} OPs {many.TotalMilliseconds:0.0} ms = {result.Ratio:0.00}x one OP "
            + $"({many / latency:0.00}x the latency). Target < 1.5x: {(result.Met ? "met" : "MISSED")}.");
        return result;
    }

    private static async Task<TimeSpan> MedianProbeAsync(int count, TimeSpan latency, int rounds)
    {
        var last = "http://127.0.0.1/op" + count.ToString(CultureInfo.InvariantCulture);
        var ops = Enumerable.Range(1, count)
            .Select(i => new InProcessOpenIdProvider("http://127.0.0.1/op" + i.ToString(CultureInfo.InvariantCulture), latency))
            .ToArray();
        foreach (var op in ops)
        {
            // Only the last OP knows the tokens: every other one rejects them, the worst case.
            var mine = op.Issuer == last;
            op.Accepts = token => mine;
        }

        using var fixture = new FlaatFixture(null, ops);
        var times = new List<TimeSpan>();
        for (var round = 0; round <= rounds; round++)
        {
            var token = BearerToken.FromToken("opaque-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N"));
            var clock = Stopwatch.StartNew();
            var outcome = await fixture.Evaluator.EvaluateAsync(token, FlaatPolicy.Authenticated).ConfigureAwait(false);
            clock.Stop();
            Check.That(outcome.IsAllowed, $"Probing failed: {outcome.Error?.Description}");
            if (round > 0)
            {
                // Round 0 loads every OP's discovery document.
                times.Add(clock.Elapsed);
            }
        }

        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>
    /// A stream of distinct opaque tokens (each one userinfo call, in-process) with the user-infos
    /// cache bounded to <paramref name="cacheBound"/>: the managed heap and working set must stay flat.
    /// </summary>
    public static async Task<MemoryResult> TokenStreamAsync(int tokens, int cacheBound)
    {
        using var fixture = new FlaatFixture(options =>
        {
            options.Issuer = options.TrustedIssuers[0];
            options.Cache.MaxUserInfos = cacheBound;
            options.Cache.MaxTokenIssuers = cacheBound;
        });
        using var process = Process.GetCurrentProcess();
        var prefix = "opaque-" + Guid.NewGuid().ToString("N") + "-";
        var next = -1;
        var refused = 0;
        var checkpoint = Math.Max(tokens / 10, 1);
        var heapAtFirstCheckpoint = 0L;
        var clock = Stopwatch.StartNew();

        async Task WorkerAsync()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= tokens)
                {
                    return;
                }

                // 64-character opaque tokens, each seen once.
                var token = BearerToken.FromToken(prefix + i.ToString("D17", CultureInfo.InvariantCulture));
                var outcome = await fixture.Evaluator.EvaluateAsync(token, FlaatFixture.EntitlementPolicy).ConfigureAwait(false);
                if (!outcome.IsAllowed)
                {
                    Interlocked.Increment(ref refused);
                }

                if (i > 0 && i % checkpoint == 0)
                {
                    // What is retained (after a full collection), not what awaits collection.
                    var heap = GC.GetTotalMemory(forceFullCollection: true);
                    Interlocked.CompareExchange(ref heapAtFirstCheckpoint, heap, 0);
                    process.Refresh();
                    Console.WriteLine($"[memory]   {i,9:N0} tokens, {clock.Elapsed.TotalSeconds,5:0.0} s: retained managed heap {heap / 1048576.0,6:0.0} MiB, working set {process.WorkingSet64 / 1048576.0,6:0.0} MiB");
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(WorkerAsync))).ConfigureAwait(false);
        clock.Stop();
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        process.Refresh();
        var result = new MemoryResult(tokens, cacheBound, refused, fixture.Provider.UserInfoCalls, heapAtFirstCheckpoint, heapAfter, process.PeakWorkingSet64, clock.Elapsed);
        Console.WriteLine(
            $"[memory] {tokens:N0} distinct tokens in {clock.Elapsed.TotalSeconds:0.0} s ({tokens / clock.Elapsed.TotalSeconds:N0}/s), "
            + $"{result.UserInfoCalls:N0} userinfo calls, {refused} refused; cache bound {cacheBound:N0} user infos; "
            + $"retained managed heap {heapAtFirstCheckpoint / 1048576.0:0.0} MiB after the first tenth, {heapAfter / 1048576.0:0.0} MiB at the end; peak working set {result.PeakWorkingSet / 1048576.0:0.0} MiB. "
            + $"Target (memory stays bounded): {(result.Met ? "met" : "MISSED")}.");
        return result;
    }

    /// <summary>The outcome of <see cref="ConcurrentFirstRequestsAsync"/>.</summary>
    public sealed record FlightResult(int Requests, int Allowed, int UserInfoCalls, int DiscoveryCalls, int JwksCalls, TimeSpan Elapsed)
    {
        /// <summary>Whether every request was allowed on one userinfo call.</summary>
        public bool Met => UserInfoCalls == 1 && Allowed == Requests;
    }

    /// <summary>The outcome of <see cref="ProbeAsync"/>.</summary>
    public sealed record ProbeResult(int Providers, TimeSpan Latency, TimeSpan OneProvider, TimeSpan AllProviders)
    {
        /// <summary>The probe time of all providers over that of one.</summary>
        public double Ratio => AllProviders / OneProvider;

        /// <summary>Whether probing all took under 1.5× probing one.</summary>
        public bool Met => Ratio < 1.5;
    }

    /// <summary>The outcome of <see cref="TokenStreamAsync"/>.</summary>
    public sealed record MemoryResult(int Tokens, int CacheBound, int Refused, int UserInfoCalls, long HeapAtFirstCheckpoint, long HeapAfter, long PeakWorkingSet, TimeSpan Elapsed)
    {
        /// <summary>
        /// Whether every token was served by the OP and the retained heap stayed flat once the cache was
        /// full: at the end at most a fifth (plus 8 MiB) above what it was after the first tenth of the stream.
        /// </summary>
        public bool Met => Refused == 0 && UserInfoCalls == Tokens && HeapAfter <= (HeapAtFirstCheckpoint * 6 / 5) + (8L << 20);
    }
}
