namespace Flaat.Errors;

/// <summary>
/// A value, or the expected failure that stands in its place (a refused token, an unreachable OP, a
/// configuration fault). The engine's parts pass failures on as values instead of throwing them;
/// exceptions are left for faults and for the public APIs that document them.
/// </summary>
/// <typeparam name="T">The value.</typeparam>
internal readonly struct Result<T>
{
    private readonly T _value;

    private Result(T value, FlaatError? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>The failure; <see langword="null"/> on success.</summary>
    public FlaatError? Error { get; }

    /// <summary>Whether this is a failure.</summary>
    public bool Failed => Error is not null;

    /// <summary>The value of a success.</summary>
    /// <exception cref="InvalidOperationException">This is a failure.</exception>
    public T Value => Error is null ? _value : throw new InvalidOperationException("A failed result has no value: " + Error);

    public static Result<T> Ok(T value) => new(value, null);

    public static Result<T> Fail(FlaatError error) => new(default!, error ?? throw new ArgumentNullException(nameof(error)));

    /// <summary>A 401 refusal with <paramref name="description"/>.</summary>
    public static Result<T> Refuse(string description) => Fail(FlaatError.Unauthenticated(description));

    public static implicit operator Result<T>(T value) => Ok(value);

    public static implicit operator Result<T>(FlaatError error) => Fail(error);

    /// <summary>The value of a success, or the failure.</summary>
    public bool TryGetValue(out T value, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out FlaatError? error)
    {
        value = _value;
        error = Error;
        return error is null;
    }
}

/// <summary>Where a result meets a public API that documents exceptions.</summary>
internal static class ResultExtensions
{
    /// <summary>The value, or the exception that stands for the failure (<see cref="FlaatError.ToException"/>).</summary>
    public static T ThrowIfFailed<T>(this Result<T> result) =>
        result.TryGetValue(out var value, out var error) ? value : throw error.ToException();

    /// <summary>
    /// The value of a call into a part that reports expected failures as <see cref="FlaatException"/>s
    /// (the OP client's local faults, the issuer state), or that failure as a result. Used only at
    /// those edges; any other exception is a fault and passes through.
    /// </summary>
    public static async ValueTask<Result<T>> Catching<T>(this ValueTask<T> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (FlaatException e)
        {
            return e.ToError();
        }
    }

    /// <inheritdoc cref="Catching{T}(ValueTask{T})"/>
    public static ValueTask<Result<T>> Catching<T>(this Task<T> call) => new ValueTask<T>(call).Catching();
}
