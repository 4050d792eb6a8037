using Microsoft.Extensions.Hosting;

namespace Flaat.Redis;

/// <summary>
/// Lets a replica start with its connection to Redis made and its subscription to the other replicas'
/// notices in place, so its first requests already share; bounded, so a Redis that is down delays the
/// start by <see cref="StartTimeout"/> at most, twice (connecting, then warming the request path up) (requests then go on without it until it is back).
/// </summary>
internal sealed class RedisStartup(RedisTokenCache cache) : IHostedService
{
    /// <summary>How long the start waits for Redis at most.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(5);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await cache.Ready.WaitAsync(StartTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Not yet connected: the connection goes on trying by itself.
            return;
        }

        // The first round trips of a process (code compiled, scripts loaded) can run over the operation
        // budget and open the breaker at every deploy: run them here, with a generous budget.
        await cache.WarmUpAsync(StartTimeout, cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
