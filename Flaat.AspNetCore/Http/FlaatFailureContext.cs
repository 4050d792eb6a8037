using Microsoft.AspNetCore.Http;

namespace Flaat.AspNetCore;

/// <summary>
/// An on-failure hook (flaat's <c>on_failure</c>): runs when Flaat refuses a request. Return a
/// response to send instead of Flaat's error, or <see langword="null"/> to send Flaat's. Throwing
/// a <see cref="FlaatException"/> sends that exception's error instead. Either way the endpoint
/// does not run.
/// </summary>
/// <param name="context">The failure and what is known about the request.</param>
/// <returns>The replacement response, or <see langword="null"/>.</returns>
public delegate ValueTask<IResult?> FlaatFailureHandler(FlaatFailureContext context);

/// <summary>What an on-failure hook is told: the failure and the user known at that point.</summary>
public sealed class FlaatFailureContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="httpContext">The refused request.</param>
    /// <param name="error">Why it was refused.</param>
    /// <param name="userInfos">The user, when authentication succeeded (a 403).</param>
    public FlaatFailureContext(HttpContext httpContext, FlaatError error, UserInfos? userInfos)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(error);
        HttpContext = httpContext;
        Error = error;
        UserInfos = userInfos;
    }

    /// <summary>The refused request.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>Why the request was refused (status, error name, description, details).</summary>
    public FlaatError Error { get; }

    /// <summary>The user known at that point: set when authentication succeeded but a requirement failed.</summary>
    public UserInfos? UserInfos { get; }
}
