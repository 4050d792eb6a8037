using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Flaat;

/// <summary>
/// The SHA-256 of an access token (of its UTF-8 bytes), as a value: the key under which Flaat
/// remembers anything about a token (see <see cref="Caching.IFlaatTokenCache"/>), so that no cache, log line
/// or map ever holds the token itself.
/// </summary>
/// <remarks>
/// <see cref="ToString"/> shows only a short, non-reversible identifier (16 hex digits from its first 8 bytes), for log lines;
/// <see cref="ToHexString"/> gives the whole hash, e.g. as the key of a distributed cache.
/// </remarks>
public readonly struct TokenHash : IEquatable<TokenHash>
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
    internal static TokenHash Compute(string token)
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

    /// <inheritdoc />
    public bool Equals(TokenHash other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TokenHash other && Equals(other);

    /// <inheritdoc />
    // The bytes of a cryptographic hash are uniformly distributed: any 32 of them are a good hash code.
    public override int GetHashCode() => (int)_a;

    /// <summary>A short, non-reversible identifier of the token for log lines (the first 8 bytes of its hash).</summary>
    public override string ToString() => _a.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The whole SHA-256 as 64 lowercase hex digits (the bytes in order), e.g. a distributed cache's key.</summary>
    public string ToHexString()
    {
        Span<byte> bytes = stackalloc byte[SHA256.HashSizeInBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, _a);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], _b);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[16..], _c);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[24..], _d);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Reads a hash written by <see cref="ToHexString"/> (64 hex digits, either case).</summary>
    /// <param name="hex">The hex digits.</param>
    /// <param name="hash">The hash, when <paramref name="hex"/> is one.</param>
    /// <returns>Whether <paramref name="hex"/> is exactly 64 hex digits.</returns>
    public static bool TryParse(ReadOnlySpan<char> hex, out TokenHash hash)
    {
        Span<byte> bytes = stackalloc byte[SHA256.HashSizeInBytes];
        if (hex.Length != 2 * SHA256.HashSizeInBytes
            || Convert.FromHexString(hex, bytes, out _, out var written) != OperationStatus.Done
            || written != bytes.Length)
        {
            hash = default;
            return false;
        }

        hash = new TokenHash(bytes);
        return true;
    }

    /// <summary>Whether two hashes are equal.</summary>
    /// <param name="left">A hash.</param>
    /// <param name="right">Another hash.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(TokenHash left, TokenHash right) => left.Equals(right);

    /// <summary>Whether two hashes differ.</summary>
    /// <param name="left">A hash.</param>
    /// <param name="right">Another hash.</param>
    public static bool operator !=(TokenHash left, TokenHash right) => !left.Equals(right);
}
