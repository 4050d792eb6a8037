using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Flaat.Testing;

/// <summary>
/// 2048-bit RSA keys take from a few hundred milliseconds to seconds to generate on a busy
/// machine, and tests start many providers one after another. So the next keys are generated in
/// the background while a test runs, and a disposed provider returns its keys for the next one.
/// Two live providers never share a key.
/// </summary>
internal static class RsaKeyPool
{
    private const int Reserve = 2;
    private const int MaxKept = 16;
    private static readonly ConcurrentQueue<RSA> Ready = new();
    private static int _pending;

    /// <summary>The shared, never used, encryption key listed first in every JWKS.</summary>
    public static RSA EncryptionKey => LazyEncryptionKey.Value;

    private static readonly Lazy<RSA> LazyEncryptionKey = new(Generate);

    public static RSA Take()
    {
        var key = Ready.TryDequeue(out var ready) ? ready : Generate();
        Refill();
        return key;
    }

    public static void Return(RSA key)
    {
        if (Ready.Count < MaxKept)
        {
            Ready.Enqueue(key);
        }
        else
        {
            key.Dispose();
        }
    }

    private static void Refill()
    {
        if (Ready.Count + Volatile.Read(ref _pending) >= Reserve)
        {
            return;
        }

        Interlocked.Increment(ref _pending);
        ThreadPool.UnsafeQueueUserWorkItem(
            static _ =>
            {
                Ready.Enqueue(Generate());
                Interlocked.Decrement(ref _pending);
            },
            state: null);
    }

    private static RSA Generate()
    {
        var rsa = RSA.Create(2048);

        // RSA.Create generates the key lazily; do it now, not during a test's first request.
        _ = rsa.ExportParameters(includePrivateParameters: false);
        return rsa;
    }
}
