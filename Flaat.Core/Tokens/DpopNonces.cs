using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Flaat.Tokens;

/// <summary>
/// Server nonces for DPoP proofs (RFC 9449 section 8), without state: a nonce is the time it was
/// made and a MAC of it under a key of this process, valid for the proof lifetime. Replicas of one
/// API do not share the key, so with several replicas a client may be asked for a fresh nonce once
/// per replica.
/// </summary>
internal sealed class DpopNonces
{
    private const int MacLength = 16;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;

    public DpopNonces(TimeProvider time, TimeSpan lifetime)
    {
        _time = time;
        _lifetime = lifetime;
    }

    /// <summary>A fresh nonce.</summary>
    public string Create()
    {
        Span<byte> nonce = stackalloc byte[8 + MacLength];
        BinaryPrimitives.WriteInt64BigEndian(nonce, _time.GetUtcNow().ToUnixTimeSeconds());
        Sign(nonce[..8], nonce[8..]);
        return System.Buffers.Text.Base64Url.EncodeToString(nonce);
    }

    /// <summary>Whether a proof's nonce is one this process made within the proof lifetime.</summary>
    public bool IsValid(string? nonce)
    {
        Span<byte> bytes = stackalloc byte[8 + MacLength];
        // IsValid first: decoding throws on characters outside base64url, and the nonce is the client's.
        if (nonce is null || nonce.Length > 64 || !System.Buffers.Text.Base64Url.IsValid(nonce.AsSpan(), out var length) || length != bytes.Length
            || !System.Buffers.Text.Base64Url.TryDecodeFromChars(nonce, bytes, out var written) || written != bytes.Length)
        {
            return false;
        }

        Span<byte> mac = stackalloc byte[MacLength];
        Sign(bytes[..8], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, bytes[8..]))
        {
            return false;
        }

        var age = _time.GetUtcNow().ToUnixTimeSeconds() - BinaryPrimitives.ReadInt64BigEndian(bytes);
        return age >= -1 && age <= (long)_lifetime.TotalSeconds;
    }

    private void Sign(ReadOnlySpan<byte> time, Span<byte> mac)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, time, full);
        full[..MacLength].CopyTo(mac);
    }
}
