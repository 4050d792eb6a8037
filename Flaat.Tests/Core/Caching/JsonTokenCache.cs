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

    /// <summary>The issuers kept for probed tokens, by the token's hex hash.</summary>
    public ConcurrentDictionary<string, string> Issuers { get; } = new(StringComparer.Ordinal);

    /// <summary>The tokens whose loads ended with nothing to keep, in order.</summary>
    public ConcurrentQueue<TokenHash> Released { get; } = new();

    public ValueTask RemoveAsync(TokenHash key, CancellationToken cancellationToken)
    {
        Stored.TryRemove(key.ToHexString(), out _);
        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(TokenHash key, CancellationToken cancellationToken)
    {
        Released.Enqueue(key);
        return ValueTask.CompletedTask;
    }

    public ValueTask<string?> GetIssuerAsync(TokenHash key, CancellationToken cancellationToken) =>
        new(Issuers.TryGetValue(key.ToHexString(), out var issuer) ? issuer : null);

    public ValueTask SetIssuerAsync(TokenHash key, string issuer, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        Issuers[key.ToHexString()] = issuer;
        return ValueTask.CompletedTask;
    }
}
