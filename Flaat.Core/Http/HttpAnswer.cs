using System.Text.Json;

namespace Flaat.Http;

/// <summary>
/// One answer of an OP as the resilience pipeline sees it: the status, the JSON object of a 2xx
/// (or why the answer cannot be used), or a fault on this side that sent nothing to the OP.
/// </summary>
/// <remarks>
/// <c>PerAnswer</c>: the problem lies in what this one answer says (a user's claim the OP encoded
/// badly), not in the OP serving: it fails the token, but the circuit breaker does not count it.
/// </remarks>
internal sealed record HttpAnswer(int StatusCode, JsonElement Json, string? Problem = null, string? LocalFault = null, bool PerAnswer = false)
{
    /// <summary>The largest answer read from an OP; a bigger one is refused.</summary>
    internal const int MaxResponseBytes = 1 << 20;

    public static HttpAnswer Local(string fault) => new(0, default, LocalFault: fault);

    /// <summary>Reads an answer: a 2xx's JSON object, or why there is none (the OP's fault: the breaker counts it, see <see cref="OpFaults.IsOpFailure"/>).</summary>
    /// <exception cref="TooLargeException">The body exceeds <see cref="MaxResponseBytes"/>.</exception>
    public static async Task<HttpAnswer> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = await ReadLimitedAsync(response.Content, cancellationToken).ConfigureAwait(false);
        return status is >= 200 and < 300 ? ReadJson(status, body) : new HttpAnswer(status, default);
    }

    private static HttpAnswer ReadJson(int status, byte[] body) => ReadableJson.ParseObject(body, out var json) switch
    {
        ReadableJson.Problem.None => new HttpAnswer(status, json),
        ReadableJson.Problem.NotObject => new HttpAnswer(status, default, Problem: "its answer is not a JSON object"),
        // A claim that cannot be read would otherwise throw wherever it is used; one user's badly
        // encoded claim is no fault of the OP's service, so the breaker does not count it.
        ReadableJson.Problem.Unreadable => new HttpAnswer(status, default, Problem: "its answer holds a string that is not valid Unicode", PerAnswer: true),
        _ => new HttpAnswer(status, default, Problem: "its answer is not JSON without repeated members"),
    };

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxResponseBytes)
        {
            throw new TooLargeException();
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxResponseBytes)
                {
                    throw new TooLargeException();
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

#pragma warning disable CA1032, CA1064 // Internal signal between the reader and the OP client.
    /// <summary>An answer too large to read; the OP client turns it into an outage.</summary>
    internal sealed class TooLargeException : Exception;
#pragma warning restore CA1032, CA1064
}
