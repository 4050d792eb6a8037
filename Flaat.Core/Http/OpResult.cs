using System.Text.Json;

namespace Flaat.Http;

/// <summary>What became of one call to an OP.</summary>
internal enum OpResultKind
{
    /// <summary>A 2xx answer with a JSON object.</summary>
    Ok,

    /// <summary>A 4xx answer (other than 408/429): the OP answered, and said no; or a token no OP could accept, refused without a request.</summary>
    Rejected,

    /// <summary>No usable answer: network error, timeout, 5xx, redirect, open circuit, or a body that is not a JSON object.</summary>
    Unavailable,
}

/// <summary>The outcome of one call to an OP, already classified.</summary>
internal sealed class OpResult
{
    private OpResult(OpResultKind kind, int statusCode, JsonElement body, string? problem, TimeSpan? retryAfter)
    {
        Kind = kind;
        StatusCode = statusCode;
        Body = body;
        Problem = problem;
        RetryAfter = retryAfter;
    }

    public OpResultKind Kind { get; }

    /// <summary>The HTTP status, or 0 when there was no answer.</summary>
    public int StatusCode { get; }

    /// <summary>The JSON object answered (only for <see cref="OpResultKind.Ok"/>).</summary>
    public JsonElement Body { get; }

    /// <summary>What went wrong, for messages and logs (never contains a token).</summary>
    public string? Problem { get; }

    /// <summary>When the OP may be tried again (an open circuit), when known.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>
    /// Whether a userinfo or introspection request was refused because of the token: status 0 (refused
    /// here), 400, 401 or 403 (RFC 6750 section 3.1). Any other 4xx (404, 405, 410, ...) is a fault of
    /// the OP's deployment, never the user's.
    /// </summary>
    public bool RefusesTheToken => Kind == OpResultKind.Rejected && StatusCode is 0 or 400 or 401 or 403;

    public static OpResult Ok(int statusCode, JsonElement body) => new(OpResultKind.Ok, statusCode, body, null, null);

    public static OpResult Rejected(int statusCode) => new(OpResultKind.Rejected, statusCode, default, $"status {statusCode}", null);

    /// <summary>A refusal with its reason; status 0 when the token was refused here, without a request.</summary>
    public static OpResult Rejected(int statusCode, string problem) => new(OpResultKind.Rejected, statusCode, default, problem, null);

    public static OpResult Unavailable(string problem, int statusCode = 0, TimeSpan? retryAfter = null) =>
        new(OpResultKind.Unavailable, statusCode, default, problem, retryAfter);
}
