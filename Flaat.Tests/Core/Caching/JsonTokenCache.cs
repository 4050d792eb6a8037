using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Flaat.Caching;

namespace Flaat.Tests.Core.Caching;

/// <summary>
/// A user's token cache as a shared store would be: outcomes kept as JSON text (what Redis would hold),
/// nothing in memory, so every read builds a new outcome from the stored text.
/// </summary>
internal sealed class JsonTokenCache : IFlaatTokenCache
{
    public ConcurrentDictionary<string, string> Stored { get; } = new(StringComparer.Ordinal);

    public int Reads;

    public int Writes;

    public bool TryGet(TokenHash key, DateTimeOffset now, [NotNullWhen(true)] out TokenOutcome? outcome)
    {
        outcome = null;
        return false;
    }

    public ValueTask<TokenOutcome?> GetAsync(TokenHash key, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Reads);
        return new(Stored.TryGetValue(key.ToHexString(), out var json) ? JsonSerializer.Deserialize<TokenOutcome>(json) : null);
    }

    public ValueTask SetAsync(TokenHash key, TokenOutcome outcome, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Writes);
        Stored[key.ToHexString()] = JsonSerializer.Serialize(outcome);
        return ValueTask.CompletedTask;
    }
}
