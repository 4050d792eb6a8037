using System.Text.Json.Nodes;

namespace Flaat;

/// <summary>
/// A failure inside Flaat (misconfiguration or another fault that is not the user's); answered
/// with status 500 and error name <c>Error</c>. The base of Flaat's exceptions.
/// </summary>
public class FlaatException : Exception
{
    /// <summary>The error name of a plain <see cref="FlaatException"/>.</summary>
    public const string DefaultErrorName = "Error";

    /// <summary>Creates the exception.</summary>
    public FlaatException()
        : this("An error occurred in Flaat.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public FlaatException(string message)
        : this(message, details: null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public FlaatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="details">Structured details for the error body.</param>
    /// <param name="innerException">The cause.</param>
    public FlaatException(string message, JsonNode? details, Exception? innerException = null)
        : base(message, innerException)
    {
        Details = details;
    }

    /// <summary>The HTTP status this exception is answered with.</summary>
    public virtual int StatusCode => 500;

    /// <summary>The error name of the body's <c>error</c> member.</summary>
    public virtual string Error => DefaultErrorName;

    /// <summary>The body's <c>error_details</c>, when there are any.</summary>
    public JsonNode? Details { get; }

    /// <summary>The error this exception stands for, rendered by <see cref="FlaatError.ToJson"/>.</summary>
    public virtual FlaatError ToError() => new(StatusCode, Error, Message, Details);
}

/// <summary>The user's identity could not be determined; answered with status 401.</summary>
public sealed class FlaatUnauthenticatedException : FlaatException
{
    /// <summary>The error name, <c>Unauthenticated</c>.</summary>
    public const string ErrorName = "Unauthenticated";

    /// <summary>Creates the exception.</summary>
    public FlaatUnauthenticatedException()
        : this("User identity could not be determined")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public FlaatUnauthenticatedException(string message)
        : base(message, details: null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public FlaatUnauthenticatedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="details">Structured details for the error body.</param>
    public FlaatUnauthenticatedException(string message, JsonNode? details)
        : base(message, details)
    {
    }

    /// <inheritdoc />
    public override int StatusCode => 401;

    /// <inheritdoc />
    public override string Error => ErrorName;
}

/// <summary>The user is known but may not use this endpoint; answered with status 403.</summary>
public sealed class FlaatForbiddenException : FlaatException
{
    /// <summary>The error name, <c>Forbidden</c>.</summary>
    public const string ErrorName = "Forbidden";

    /// <summary>Creates the exception.</summary>
    public FlaatForbiddenException()
        : this("User does not meet requirements")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public FlaatForbiddenException(string message)
        : base(message, details: null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public FlaatForbiddenException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="details">Structured details for the error body.</param>
    public FlaatForbiddenException(string message, JsonNode? details)
        : base(message, details)
    {
    }

    /// <inheritdoc />
    public override int StatusCode => 403;

    /// <inheritdoc />
    public override string Error => ErrorName;
}

/// <summary>
/// An OP needed to judge the token could not be reached (down, too slow, circuit open);
/// answered with status 503. Not the user's fault, so never reported as a bad token.
/// flaat has no such kind.
/// </summary>
public sealed class FlaatUnavailableException : FlaatException
{
    /// <summary>The error name, <c>Unavailable</c>.</summary>
    public const string ErrorName = "Unavailable";

    /// <summary>Creates the exception.</summary>
    public FlaatUnavailableException()
        : this("The identity provider could not be reached")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    public FlaatUnavailableException(string message)
        : base(message, details: null)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public FlaatUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="retryAfter">When a client should try again, when known.</param>
    public FlaatUnavailableException(string message, TimeSpan? retryAfter)
        : base(message, details: null)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>When a client should try again, when known.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <inheritdoc />
    public override int StatusCode => 503;

    /// <inheritdoc />
    public override string Error => ErrorName;

    /// <inheritdoc />
    public override FlaatError ToError() => FlaatError.Unavailable(Message, RetryAfter);
}
