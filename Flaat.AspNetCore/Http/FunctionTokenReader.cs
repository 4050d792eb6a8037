using Flaat.Evaluation;
using Microsoft.AspNetCore.Http;

namespace Flaat.AspNetCore;

/// <summary>
/// An application's own token source as a function of the request (<see cref="FlaatBuilder.ReadTokenFrom"/>):
/// its answer is checked like any token (<see cref="BearerToken.FromToken(string?, TokenSource)"/>,
/// <see cref="TokenSource.Other"/>), and a request that also sends a token another reader finds is refused.
/// </summary>
internal sealed class FunctionTokenReader(Func<HttpContext, string?> read) : IFlaatTokenReader
{
    public PresentedToken? Read(HttpContext context) =>
        read(context) is { } token ? BearerToken.FromToken(token, TokenSource.Other) : null;
}
