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
        try
        {
            // Yield first so that the caller's thread is not held by the synchronous part of the load.
            await Task.Yield();
            completion.TrySetResult(await load(state).ConfigureAwait(false));
        }
        catch (OperationCanceledException e)
        {
            completion.TrySetCanceled(e.CancellationToken);
        }
#pragma warning disable CA1031 // The exception is handed to every waiting caller, not swallowed.
        catch (Exception e)
#pragma warning restore CA1031
        {
            completion.TrySetException(e);
        }
        finally
        {
            _running.TryRemove(new KeyValuePair<TKey, Task<TValue>>(key, completion.Task));
        }
    }
}
