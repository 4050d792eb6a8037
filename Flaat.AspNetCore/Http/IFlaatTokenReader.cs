using Flaat.Evaluation;
using Microsoft.AspNetCore.Http;

namespace Flaat.AspNetCore;

/// <summary>
/// Finds the token a request presents in one place of the request (a header, the query string, a
/// cookie, ...). Register implementations in DI as <see cref="IFlaatTokenReader"/>; every Flaat
/// adapter (MVC filter, endpoint gate, authentication scheme, gRPC interceptor) reads through them.
/// <c>AddFlaat</c> registers the <c>Authorization</c> header reader (RFC 6750).
/// </summary>
/// <remarks>
/// Readers are asked in the order they were registered. The first one that finds credentials of
/// its kind — a token, or malformed credentials it refuses (a <see cref="PresentedToken.ChallengeError"/>) —
/// decides, except that a token found by two readers is refused (<see cref="BearerToken.SeveralMethods"/>,
/// RFC 6750 section 2: one method per request). When none does, the first one that saw something else (another scheme's
/// <c>Authorization</c> header) explains the 401; when none saw anything, the request presented
/// nothing (<see cref="PresentedToken.None"/>). Readers run on every request: they must be
/// thread-safe, cheap and synchronous, and never log the token.
/// </remarks>
public interface IFlaatTokenReader
{
    /// <summary>Reads the request's token from this reader's place.</summary>
    /// <param name="context">The request.</param>
    /// <returns>
    /// <see langword="null"/> when there is nothing of this reader's kind in the request; otherwise
    /// what was presented, made by a scheme's reader such as <see cref="BearerToken.FromToken(string?, TokenSource)"/>
    /// (which checks the token's shape).
    /// </returns>
    PresentedToken? Read(HttpContext context);
}
