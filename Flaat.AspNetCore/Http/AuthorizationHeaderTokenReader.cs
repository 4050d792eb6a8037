using Flaat.Evaluation;
using Microsoft.AspNetCore.Http;

namespace Flaat.AspNetCore;

/// <summary>The <c>Authorization</c> header, read with RFC 6750's grammar and remembered per HTTP/1 connection.</summary>
internal sealed class AuthorizationHeaderTokenReader : IFlaatTokenReader
{
    public PresentedToken? Read(HttpContext context) => ConnectionTokenMemo.Read(context);
}
