using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Flaat.Testing;

/// <summary>
/// 2048-bit RSA keys take a few hundred milliseconds to generate on a busy machine. Tests start
/// many providers one after another, so the next keys are generated in the background while a
/// test runs; a taken key is never handed out again.
/// </summary>
internal static class RsaKeyPool
{
    private const int Reserve = 2;
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
