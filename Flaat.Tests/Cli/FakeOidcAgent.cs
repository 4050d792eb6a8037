using System.Collections;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Flaat.Cli;

namespace Flaat.Tests.Cli;

/// <summary>
/// A fake oidc-agent on a real UNIX domain socket in a temporary folder. It speaks the agent's IPC
/// API: it reads one JSON request per connection, records it, and sends what <see cref="Answer"/>
/// returns (the bytes as they are, so tests can send garbage), or nothing at all.
/// </summary>
internal sealed class FakeOidcAgent : IAsyncDisposable
{
    private readonly string _folder;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly ConcurrentQueue<JsonElement> _requests = new();
    private readonly TaskCompletionSource _requestReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeOidcAgent()
    {
        // Short: a socket path may have at most about 100 bytes.
        _folder = Path.Combine(Path.GetTempPath(), "flaat-agent-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_folder);
        SocketPath = Path.Combine(_folder, "agent.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(16);
        _accepting = AcceptAsync();
    }

    /// <summary>The socket's path, what <c>OIDC_SOCK</c> holds.</summary>
    public string SocketPath { get; }

    /// <summary>
    /// The bytes to answer a request with; <see langword="null"/>: never answer (the connection stays
    /// open until the client gives up). Default: a failure answer.
    /// </summary>
    public Func<JsonElement, byte[]?> Answer { get; set; } = _ => Failure("no answer configured");

    /// <summary>Whether the agent closes the connection after answering. Default <see langword="true"/>; when not, the client must see the answer's end itself.</summary>
    public bool CloseAfterAnswer { get; set; } = true;

    /// <summary>Whether the answer is sent in pieces of a few bytes, with pauses, as a slow socket delivers it.</summary>
    public bool AnswerInPieces { get; set; }

    /// <summary>The requests received, in order.</summary>
    public IReadOnlyCollection<JsonElement> Requests => _requests;

    /// <summary>Completes when the first request has been read.</summary>
    public Task RequestReceived => _requestReceived.Task;

    /// <summary>An environment with <c>OIDC_SOCK</c> naming this agent.</summary>
    public Hashtable Environment => new() { [OidcAgent.SocketVariable] = SocketPath };

    /// <summary>Starts an agent.</summary>
    public static FakeOidcAgent Start() => new();

    /// <summary>A success answer as the API documents it.</summary>
    public static byte[] Success(string accessToken, string? issuer, long? expiresAt = null)
    {
        var answer = new Dictionary<string, object> { ["status"] = "success", ["access_token"] = accessToken };
        if (issuer is not null)
        {
            answer["issuer"] = issuer;
        }

        if (expiresAt is not null)
        {
            answer["expires_at"] = expiresAt;
        }

        return JsonSerializer.SerializeToUtf8Bytes(answer);
    }

    /// <summary>A failure answer as the API documents it.</summary>
    public static byte[] Failure(string error, string? info = null) =>
        JsonSerializer.SerializeToUtf8Bytes(info is null
            ? new Dictionary<string, string> { ["status"] = "failure", ["error"] = error }
            : new Dictionary<string, string> { ["status"] = "failure", ["error"] = error, ["info"] = info });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var connection = await _listener.AcceptAsync(_stop.Token);
                connections.Add(ServeAsync(connection));
            }
        }
        finally
        {
            await Task.WhenAll(connections);
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using (connection)
        {
            try
            {
                var request = await ReadRequestAsync(connection);
                _requests.Enqueue(request);
                _requestReceived.TrySetResult();
                if (Answer(request) is not { } answer)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                    return;
                }

                await SendAsync(connection, answer);
                if (!CloseAfterAnswer)
                {
                    // Until the client hangs up (a read of 0 bytes) or the agent stops.
                    await connection.ReceiveAsync(new byte[1], _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or JsonException)
            {
                // The client went away, the agent stopped, or the request was not JSON: drop the connection.
            }
        }
    }

    private async Task SendAsync(Socket connection, byte[] answer)
    {
        if (!AnswerInPieces)
        {
            await connection.SendAsync(answer, _stop.Token);
            return;
        }

        for (var start = 0; start < answer.Length; start += 7)
        {
            await connection.SendAsync(answer.AsMemory(start, Math.Min(7, answer.Length - start)), _stop.Token);
            await Task.Delay(2, _stop.Token);
        }
    }

    /// <summary>Reads until the bytes are one JSON document (the client sends no framing either).</summary>
    private async Task<JsonElement> ReadRequestAsync(Socket connection)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (received.Length < 65_536)
        {
            var read = await connection.ReceiveAsync(buffer, _stop.Token);
            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
            try
            {
                using var document = JsonDocument.Parse(received.ToArray());
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not complete yet.
            }
        }

        throw new JsonException("The request is not one JSON document: " + Encoding.UTF8.GetString(received.ToArray()));
    }
}
