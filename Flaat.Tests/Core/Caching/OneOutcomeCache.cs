using System.Diagnostics.CodeAnalysis;
using Flaat.Caching;

namespace Flaat.Tests.Core.Caching;

/// <summary>
/// A careless cache: returns its one outcome for every key and at any time (it ignores expiry),
/// counting the reads, and forgets what is written. The engine must check what it gets.
/// </summary>
internal sealed class OneOutcomeCache(TokenOutcome outcome) : IFlaatTokenCache
{
    public int Reads;

    public bool TryGet(TokenHash key, DateTimeOffset now, [NotNullWhen(true)] out TokenOutcome? found)
    {
        Interlocked.Increment(ref Reads);
        found = outcome;
        return true;
    }

    public ValueTask<TokenOutcome?> GetAsync(TokenHash key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Reads);
        return new(outcome);
    }

    public ValueTask SetAsync(TokenHash key, TokenOutcome value, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask RemoveAsync(TokenHash key, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
