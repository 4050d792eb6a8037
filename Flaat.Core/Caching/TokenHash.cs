using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Flaat.Caching;

/// <summary>
/// The SHA-256 of an access token, as a value: the key under which Flaat remembers anything about a
/// token, so that no cache, log line or map ever holds the token itself.
/// </summary>
internal readonly struct TokenHash : IEquatable<TokenHash>
{
    private const int StackLimit = 8192;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    private TokenHash(ReadOnlySpan<byte> hash)
    {
        _a = BinaryPrimitives.ReadUInt64LittleEndian(hash);
        _b = BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]);
        _c = BinaryPrimitives.ReadUInt64LittleEndian(hash[16..]);
        _d = BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]);
    }

    /// <summary>Hashes a token without allocating (for tokens up to a few kilobytes).</summary>
    public static TokenHash Compute(string token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        // Tokens are ASCII in practice: counting the bytes first (a vectorised pass) keeps the stack
        // buffer, which is zeroed on every call, as small as the token.
        var byteCount = Encoding.UTF8.GetByteCount(token);
        if (byteCount <= StackLimit)
        {
            Span<byte> buffer = stackalloc byte[byteCount];
            Encoding.UTF8.GetBytes(token, buffer);
            SHA256.HashData(buffer, hash);
        }
        else
        {
            var rented = ArrayPool<byte>.Shared.Rent(byteCount);
            var length = Encoding.UTF8.GetBytes(token, rented);
            SHA256.HashData(rented.AsSpan(0, length), hash);
            ArrayPool<byte>.Shared.Return(rented);
        }

        return new TokenHash(hash);
    }

    public bool Equals(TokenHash other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is TokenHash other && Equals(other);

    // The bytes of a cryptographic hash are uniformly distributed: any 32 of them are a good hash code.
    public override int GetHashCode() => (int)_a;

    /// <summary>A short, non-reversible identifier of the token for log lines (the first 8 bytes of its hash).</summary>
    public override string ToString() => _a.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    public static bool operator ==(TokenHash left, TokenHash right) => left.Equals(right);

    public static bool operator !=(TokenHash left, TokenHash right) => !left.Equals(right);
}
