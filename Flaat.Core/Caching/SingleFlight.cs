using System.Collections.Concurrent;

namespace Flaat.Caching;

/// <summary>
/// Merges concurrent loads of one key into one: the first caller starts the load, every caller
/// that arrives while it runs shares its task. The load runs on its own cancellation token (the
/// owner's lifetime), so one caller giving up does not fail the others; each caller waits with its
/// own token.
/// </summary>
/// <typeparam name="TKey">The key.</typeparam>
/// <typeparam name="TValue">The loaded value.</typeparam>
internal sealed class SingleFlight<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<TValue>> _running = new();

    /// <summary>The number of loads under way.</summary>
    public int Running => _running.Count;

    /// <summary>Joins the load of <paramref name="key"/> under way, or starts it.</summary>
    public Task<TValue> RunAsync<TState>(TKey key, TState state, Func<TState, Task<TValue>> load)
    {
        while (true)
        {
            if (_running.TryGetValue(key, out var running))
            {
                return running;
            }

            var completion = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_running.TryAdd(key, completion.Task))
            {
                _ = RunCoreAsync(key, completion, state, load);
                return completion.Task;
            }
        }
    }

    private async Task RunCoreAsync<TState>(TKey key, TaskCompletionSource<TValue> completion, TState state, Func<TState, Task<TValue>> load)
    {
        TValue value = default!;
        Exception? failure = null;
        try
        {
            // Yield first so that the caller's thread is not held by the synchronous part of the load.
            await Task.Yield();
            value = await load(state).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The exception is handed to every waiting caller, not swallowed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            failure = e;
        }

        // The key leaves before any waiter can wake: a caller that comes after the answer starts a new
        // load and never joins the finished one (whose value may be past its cache lifetime by then).
        _running.TryRemove(new KeyValuePair<TKey, Task<TValue>>(key, completion.Task));
        switch (failure)
        {
            case null:
                completion.TrySetResult(value);
                break;
            case OperationCanceledException cancelled:
                completion.TrySetCanceled(cancelled.CancellationToken);
                break;
            default:
                completion.TrySetException(failure);
                break;
        }
    }
}
