using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Flaat.Benchmarks;

// `-- cold [flight|probe|memory] [--tokens N]` runs the cold-path measurements, `-- fleet --redis
// host:port [calls|latency]` the replica measurements (benchmarks/fleet/run.sh); anything else goes
// to BenchmarkDotNet (e.g. `-- --filter '*'`).
if (args is ["cold", .. var rest])
{
    return await ColdPath.RunAsync(rest);
}

if (args is ["fleet", .. var fleetArgs])
{
    return await Fleet.RunAsync(fleetArgs);
}

var config = DefaultConfig.Instance
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddJob(Job.Default.WithWarmupCount(4).WithIterationCount(12).WithLaunchCount(1)
        // In-process: no per-run project copy to build on a busy machine; Release build required.
        .WithToolchain(InProcessEmitToolchain.Instance))
    .WithOptions(ConfigOptions.JoinSummary);
BenchmarkSwitcher.FromAssembly(typeof(FlaatFixture).Assembly).Run(args, config);
return 0;
