using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Flaat.Cli;

/// <summary>What <c>flaat-userinfo</c> asks oidc-agent for: an access token of one account.</summary>
/// <param name="Account">The account short name, as <c>oidc-add</c> loaded it.</param>
/// <param name="MinLifetime">How long the token must stay valid at least (<c>min_valid_period</c>); <see langword="null"/>: the agent's default.</param>
/// <param name="Scope">The space-separated scopes to ask for; <see langword="null"/>: the account's default.</param>
internal sealed record OidcAgentRequest(string Account, TimeSpan? MinLifetime = null, string? Scope = null)
{
    /// <summary>The name the agent shows the user when it asks to confirm or to log in.</summary>
    public const string ApplicationHint = UserInfoCommandLine.CommandName;

    /// <summary>The request as oidc-agent's IPC API documents it; optional members only when given.</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("request", "access_token");
            writer.WriteString("account", Account);
            if (MinLifetime is { } lifetime)
            {
                // Whole seconds, rounded up: the token must last at least as long as asked.
                writer.WriteNumber("min_valid_period", (long)Math.Ceiling(lifetime.TotalSeconds));
            }

            if (Scope is not null)
            {
                writer.WriteString("scope", Scope);
            }

            writer.WriteString("application_hint", ApplicationHint);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}

/// <summary>An access token oidc-agent gave. Its <see cref="ToString"/> never shows the token.</summary>
/// <param name="AccessToken">The token.</param>
/// <param name="Issuer">The issuer the agent names, unchecked: only a hint, and only when the issuer is trusted anyway.</param>
/// <param name="ExpiresAt">When the agent says the token expires.</param>
internal sealed record OidcAgentToken(string AccessToken, string? Issuer, DateTimeOffset? ExpiresAt)
{
    /// <summary>The issuer and expiry, never the token.</summary>
    public override string ToString() => $"token from {Issuer ?? "an unnamed issuer"}, expires {ExpiresAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "at an unknown time"}";
}

/// <summary>Why no token came from oidc-agent; the message is one line for the user and never holds a token.</summary>
internal sealed class OidcAgentException(string message) : Exception(message);

/// <summary>
/// A client of oidc-agent's IPC API: one JSON request over the UNIX domain socket the
/// <c>OIDC_SOCK</c> environment variable names, one JSON object back. Everything the agent sends
/// is untrusted: the answer is capped at <see cref="MaxAnswerBytes"/>, must be one JSON object,
/// and only its documented members are read.
/// </summary>
internal static class OidcAgent
{
    /// <summary>The environment variable that names the agent's socket (set by <c>oidc-agent</c> / <c>oidc-agent-service</c>).</summary>
    public const string SocketVariable = "OIDC_SOCK";

    /// <summary>The largest answer read: a token answer is a few kilobytes.</summary>
    public const int MaxAnswerBytes = 1 << 20;

    /// <summary>The longest text of the agent's shown in an error message.</summary>
    private const int MaxShownText = 300;

    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    /// <summary>Asks the agent at <paramref name="socketPath"/> for a token.</summary>
    /// <exception cref="OidcAgentException">The agent could not be reached, refused, or answered something else than the API's answer.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (e.g. the time limit).</exception>
    public static async Task<OidcAgentToken> GetAccessTokenAsync(string socketPath, OidcAgentRequest request, CancellationToken cancellationToken)
    {
        UnixDomainSocketEndPoint endPoint;
        try
        {
            endPoint = new UnixDomainSocketEndPoint(socketPath);
        }
        catch (ArgumentException)
        {
            throw new OidcAgentException($"{SocketVariable} ('{Shown(socketPath)}') is not a usable socket path.");
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var why = !File.Exists(socketPath) && !Directory.Exists(socketPath) ? "there is no such socket"
                : e.SocketErrorCode == SocketError.ConnectionRefused ? "nobody listens on it (the socket of an agent that has ended?)"
                : e.Message;
            throw new OidcAgentException(
                $"cannot reach the agent at {SocketVariable} ('{Shown(socketPath)}'): {why}. Is oidc-agent running in this session?");
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        byte[] answer;
        int length;
        try
        {
            // One write: the agent reads the request as it comes, without framing.
            await stream.WriteAsync(request.ToJson(), cancellationToken).ConfigureAwait(false);
            (answer, length) = await ReadAnswerAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            throw new OidcAgentException("the agent dropped the connection before it answered.");
        }

        return ParseAnswer(answer.AsSpan(0, length));
    }

    /// <summary>
    /// Reads until the bytes hold one complete JSON value (the agent sends no length or delimiter,
    /// and may keep the connection open), the agent closes the connection, or <see cref="MaxAnswerBytes"/>.
    /// </summary>
    private static async Task<(byte[] Buffer, int Length)> ReadAnswerAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var length = 0;
        var scan = new JsonScan();
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length >= MaxAnswerBytes)
                {
                    throw new OidcAgentException($"the agent's answer is larger than {MaxAnswerBytes / 1024 / 1024} MiB.");
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 4, MaxAnswerBytes));
            }

            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new OidcAgentException(buffer.AsSpan(0, length).Trim(" \t\r\n\0"u8).IsEmpty
                    ? "the agent closed the connection without answering."
                    : "the agent's answer is not JSON (it ends in the middle).");
            }

            length += read;
            if (scan.IsComplete(buffer.AsSpan(0, length)))
            {
                return (buffer, scan.End);
            }
        }
    }

    /// <summary>Reads the agent's answer: a token on success, an <see cref="OidcAgentException"/> with the agent's own words otherwise.</summary>
    /// <exception cref="OidcAgentException">A failure answer, or anything that is not an answer of the API.</exception>
    public static OidcAgentToken ParseAnswer(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxAnswerBytes)
        {
            throw new OidcAgentException($"the agent's answer is larger than {MaxAnswerBytes / 1024 / 1024} MiB.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), StrictJson);
        }
        catch (JsonException)
        {
            throw new OidcAgentException("the agent's answer is not valid JSON.");
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement);
            }
            catch (InvalidOperationException)
            {
                // A string that is not valid UTF-8 or holds a lone surrogate (\ud800).
                throw new OidcAgentException("the agent's answer holds text that is not valid Unicode.");
            }
        }
    }

    private static OidcAgentToken Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new OidcAgentException("the agent's answer is not a JSON object.");
        }

        return Text(root, "status") switch
        {
            "success" => Success(root),
            "failure" => throw new OidcAgentException(Failure(root)),
            null => throw new OidcAgentException("the agent's answer has no status."),
            { } status => throw new OidcAgentException($"the agent answered with the unknown status '{Shown(status)}'."),
        };
    }

    private static OidcAgentToken Success(JsonElement root)
    {
        if (Text(root, "access_token") is not { Length: > 0 } token)
        {
            throw new OidcAgentException("the agent reported success but sent no access token.");
        }

        DateTimeOffset? expiresAt = null;
        if (root.TryGetProperty("expires_at", out var expires) && expires.ValueKind == JsonValueKind.Number
            && expires.TryGetInt64(out var seconds) && seconds is > 0 and < 253_402_300_800)
        {
            expiresAt = DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        // The issuer is only compared with the trusted ones and shown with --verbose: drop one that could not be a URL line.
        var issuer = Text(root, "issuer") is { Length: > 0 and <= 2048 } named && Shown(named) == named ? named : null;
        return new OidcAgentToken(token, issuer, expiresAt);
    }

    private static string Failure(JsonElement root)
    {
        var error = Text(root, "error") is { Length: > 0 } text ? Shown(text) : "no reason given";
        var message = new StringBuilder("the agent refused: ").Append(error);
        if (Text(root, "info") is { Length: > 0 } info)
        {
            message.Append(" (").Append(Shown(info)).Append(')');
        }

        return message.Append('.').ToString();
    }

    /// <summary>A string member; <see langword="null"/> when absent or of another type.</summary>
    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>Untrusted text made safe for a terminal line: no control characters, at most <see cref="MaxShownText"/> characters.</summary>
    private static string Shown(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, MaxShownText + 1));
        foreach (var rune in text.EnumerateRunes())
        {
            if (builder.Length >= MaxShownText)
            {
                return builder.Append('…').ToString();
            }

            // Control characters, and format characters such as bidi overrides that reorder a line: one space for a run of them.
            if (Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format)
            {
                if (builder.Length > 0 && builder[^1] != ' ')
                {
                    builder.Append(' ');
                }
            }
            else
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString().Trim();
    }

    /// <summary>
    /// Finds where the first JSON value ends in bytes that arrive piece by piece, resuming where
    /// the last call stopped (each byte is scanned once). Leading white space is skipped.
    /// </summary>
    private sealed class JsonScan
    {
        private JsonReaderState _state;
        private int _consumed;
        private bool _started;

        /// <summary>The index just past the complete value, once <see cref="IsComplete"/> returned <see langword="true"/>.</summary>
        public int End { get; private set; }

        /// <exception cref="OidcAgentException">The bytes cannot begin a JSON value.</exception>
        public bool IsComplete(ReadOnlySpan<byte> received)
        {
            var reader = new Utf8JsonReader(received[_consumed..], isFinalBlock: false, _state);
            try
            {
                while (reader.Read())
                {
                    _started = true;
                    if (reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                    {
                        End = _consumed + (int)reader.BytesConsumed;
                        return true;
                    }
                }
            }
            catch (JsonException)
            {
                throw new OidcAgentException(_started ? "the agent's answer is not valid JSON." : "the agent's answer is not JSON.");
            }

            _consumed += (int)reader.BytesConsumed;
            _state = reader.CurrentState;
            return false;
        }
    }
}
