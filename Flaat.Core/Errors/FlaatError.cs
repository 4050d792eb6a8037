using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Flaat;

/// <summary>
/// A failure as Flaat reports it to a client: an HTTP status, an error name, a description and
/// optional details. This is the one place that renders flaat's error body
/// (<c>{"error": ..., "error_description": ..., "error_details": ...}</c>).
/// </summary>
public sealed class FlaatError
{
    /// <summary>Creates an error.</summary>
    /// <param name="statusCode">The HTTP status: 401, 403, 500 or 503.</param>
    /// <param name="error">The error name (<c>Unauthenticated</c>, <c>Forbidden</c>, <c>Error</c>, <c>Unavailable</c>).</param>
    /// <param name="description">What went wrong, for the client. Never contains a token.</param>
    /// <param name="details">Optional structured details (a string, list or object).</param>
    public FlaatError(int statusCode, string error, string description, JsonNode? details = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(description);
        StatusCode = statusCode;
        Error = error;
        Description = description;
        Details = details;
    }

    /// <summary>The HTTP status code.</summary>
    public int StatusCode { get; }

    /// <summary>The error name of the body's <c>error</c> member.</summary>
    public string Error { get; }

    /// <summary>The body's <c>error_description</c>.</summary>
    public string Description { get; }

    /// <summary>The body's <c>error_details</c>, when there are any.</summary>
    public JsonNode? Details { get; }

    /// <summary>For a 503: how long a client should wait before it tries again, when known.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// The RFC 6750 <c>error</c> code of the <c>WWW-Authenticate: Bearer</c> challenge of a 401:
    /// <c>invalid_request</c> (malformed credentials: several <c>Authorization</c> headers, bad syntax)
    /// or <c>invalid_token</c>. When <see langword="null"/> (the default), a 401 for a presented token
    /// says <c>invalid_token</c> and one without a token has a bare challenge. Ignored for other statuses.
    /// </summary>
    /// <exception cref="ArgumentException">The code has characters RFC 6749 does not allow in an error code.</exception>
    public string? ChallengeError
    {
        get;
        init
        {
            if (value is not null && (value.Length == 0 || value.AsSpan().ContainsAnyExceptInRange(' ', '~') || value.AsSpan().IndexOfAny('"', '\\') >= 0))
            {
                throw new ArgumentException("A challenge error code is printable ASCII without quotes or backslashes.", nameof(value));
            }

            field = value;
        }
    }

    /// <summary>
    /// The authentication scheme of the challenge (<c>WWW-Authenticate</c>) sent with a 401 or 403:
    /// the scheme of the token the request presented, or of the check that refused it (a DPoP proof,
    /// say). <see langword="null"/> (the default) means <c>Bearer</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The scheme is not an RFC 9110 token.</exception>
    public string? ChallengeScheme
    {
        get;
        init
        {
            if (value is not null && (value.Length == 0 || value.AsSpan().ContainsAnyExcept(SchemeCharacters)))
            {
                throw new ArgumentException("A challenge scheme is an RFC 9110 token (letters, digits and !#$%&'*+-.^_`|~).", nameof(value));
            }

            field = value;
        }
    }

    /// <summary>
    /// The complete <c>WWW-Authenticate</c> challenges of a 401, when a check sets them itself (DPoP:
    /// a <c>DPoP</c> challenge with <c>algs</c> and, where bearer tokens are allowed, a <c>Bearer</c>
    /// one beside it); they replace the one built from <see cref="ChallengeScheme"/> and
    /// <see cref="ChallengeError"/>. <see langword="null"/> (the default) for that one challenge.
    /// </summary>
    /// <exception cref="ArgumentException">A challenge is empty or not printable ASCII.</exception>
    public IReadOnlyList<string>? Challenges
    {
        get;
        init
        {
            if (value is not null && value.Any(c => string.IsNullOrEmpty(c) || c.AsSpan().ContainsAnyExceptInRange(' ', '~')))
            {
                throw new ArgumentException("A challenge is a non-empty printable ASCII header value.", nameof(value));
            }

            field = value;
        }
    }

    /// <summary>A fresh DPoP server nonce for the client's next proof (the <c>DPoP-Nonce</c> response header, RFC 9449 section 8); <see langword="null"/> when none.</summary>
    public string? DpopNonce { get; init; }

    private static readonly System.Buffers.SearchValues<char> SchemeCharacters =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>A 401 <c>Unauthenticated</c> error.</summary>
    /// <param name="description">What went wrong.</param>
    /// <param name="details">Optional details.</param>
    public static FlaatError Unauthenticated(string description, JsonNode? details = null) =>
        new(401, FlaatUnauthenticatedException.ErrorName, description, details);

    /// <summary>A 403 <c>Forbidden</c> error.</summary>
    /// <param name="description">What went wrong.</param>
    /// <param name="details">Optional details.</param>
    public static FlaatError Forbidden(string description, JsonNode? details = null) =>
        new(403, FlaatForbiddenException.ErrorName, description, details);

    /// <summary>A 500 <c>Error</c>: a failure inside Flaat or its configuration.</summary>
    /// <param name="description">What went wrong.</param>
    /// <param name="details">Optional details.</param>
    public static FlaatError Internal(string description, JsonNode? details = null) =>
        new(500, FlaatException.DefaultErrorName, description, details);

    /// <summary>A 503 <c>Unavailable</c>: an OP could not be reached; not the user's fault.</summary>
    /// <param name="description">What went wrong.</param>
    /// <param name="retryAfter">When to try again, when known.</param>
    public static FlaatError Unavailable(string description, TimeSpan? retryAfter = null) =>
        new(503, FlaatUnavailableException.ErrorName, description) { RetryAfter = retryAfter };

    /// <summary>Writes the error body.</summary>
    /// <param name="writer">The JSON writer.</param>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("error", Error);
        writer.WriteString("error_description", Description);
        if (Details is not null)
        {
            writer.WritePropertyName("error_details");
            Details.WriteTo(writer);
        }

        writer.WriteEndObject();
    }

    /// <summary>The error body as compact JSON.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>The exception that stands for this error (for code that prefers exceptions).</summary>
    public FlaatException ToException() => StatusCode switch
    {
        401 => new FlaatUnauthenticatedException(Description, Details),
        403 => new FlaatForbiddenException(Description, Details),
        503 => new FlaatUnavailableException(Description, RetryAfter),
        _ => new FlaatException(Description, Details),
    };

    /// <inheritdoc />
    public override string ToString() => $"{StatusCode} {Error}: {Description}";
}
