using Flaat.Caching;

namespace Flaat.Tests.Core.Caching;

public sealed class SingleFlightTests
{
    [Test]
    public async Task RunAsync_CallersDuringLoad_ShareOneLoad()
    {
        var flight = new SingleFlight<string, int>();
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var loads = 0;

        var callers = Enumerable.Range(0, 20)
            .Select(_ => flight.RunAsync("k", gate, g => { Interlocked.Increment(ref loads); return g.Task; }))
            .ToArray();
        gate.SetResult(7);
        var values = await Task.WhenAll(callers);

        Assert.That(loads, Is.EqualTo(1));
        Assert.That(values, Is.All.EqualTo(7));
        Assert.That(flight.Running, Is.Zero);
    }

    [Test]
    public async Task RunAsync_AfterCallerSawResult_StartsNewLoad()
    {
        // The waiters of a load resume on other threads; the key must be gone before any of them can
        // run, or a caller that comes after the answer joins the finished load and gets its old value
        // (a result past its cache lifetime). Many rounds, as the gap was a race between threads.
        var flight = new SingleFlight<string, int>();
        var loads = 0;
        for (var round = 1; round <= 10000; round++)
        {
            var value = await flight.RunAsync("k", 0, async _ =>
            {
                await Task.Yield();
                return Interlocked.Increment(ref loads);
            });

            Assert.That(value, Is.EqualTo(round), $"round {round} was served a finished load");
        }
    }

    [Test]
    public async Task RunAsync_FailedLoad_ReleasesWaitersAndNextCallLoadsAgain()
    {
        var flight = new SingleFlight<string, int>();
        var first = flight.RunAsync<int>("k", 0, async _ =>
        {
            await Task.Yield();
            throw new InvalidOperationException("boom");
        });

        Assert.ThrowsAsync<InvalidOperationException>(async () => await first);
        Assert.That(await flight.RunAsync("k", 0, _ => Task.FromResult(5)), Is.EqualTo(5));
        Assert.That(flight.Running, Is.Zero);
    }

    [Test]
    public async Task RunAsync_CancelledLoad_ReleasesWaitersAsCancelledAndNextCallLoadsAgain()
    {
        var flight = new SingleFlight<string, int>();
        using var cancel = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = flight.RunAsync("k", cancel.Token, async token =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
            return 1;
        });
        await started.Task;
        cancel.Cancel();

        Assert.That(async () => await first, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(first.IsCanceled, Is.True);
        Assert.That(await flight.RunAsync("k", 0, _ => Task.FromResult(9)), Is.EqualTo(9));
    }
}
