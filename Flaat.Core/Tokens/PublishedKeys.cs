namespace Flaat.Tokens;

/// <summary>A key set fetched by <see cref="FlaatJwksClient"/>, with its public wrappers and when it was fetched.</summary>
internal sealed class PublishedKeys
{
    public PublishedKeys(KeySet set, DateTimeOffset fetchedAt)
    {
        Set = set;
        FetchedAt = fetchedAt;
        var keys = new FlaatSigningKey[set.Keys.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = new FlaatSigningKey(set.Keys[i]);
        }

        Public = keys;
    }

    public KeySet Set { get; }

    public DateTimeOffset FetchedAt { get; }

    public IReadOnlyList<FlaatSigningKey> Public { get; }

    /// <summary>The public wrapper of one of <see cref="Set"/>'s keys.</summary>
    public FlaatSigningKey PublicOf(SigningKey key)
    {
        foreach (var candidate in Public)
        {
            if (ReferenceEquals(candidate.Inner, key))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("The key is not of this set.");
    }
}
