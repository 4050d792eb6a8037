using System.Globalization;
using System.Text.Json;
using Flaat.Evaluation;
using Microsoft.AspNetCore.Http;

namespace Flaat.AspNetCore;

/// <summary>
/// Writes a <see cref="FlaatError"/> as an HTTP response: the status, flaat's JSON body
/// (<c>application/json</c>), RFC 6750 <c>WWW-Authenticate</c> challenges (in the error's
/// <see cref="FlaatError.ChallengeScheme"/>, <c>Bearer</c> by default) and
/// <c>Retry-After</c> on 503. The one HTTP renderer of every Flaat adapter.
/// </summary>
public static class FlaatResponseWriter
{
    private const int MaxHeaderDescriptionLength = 256;

    /// <summary>Writes the error response.</summary>
    /// <param name="response">The response; it must not have started.</param>
    /// <param name="error">The error.</param>
    /// <param name="tokenPresented">
    /// Whether the request carried a bearer token: a 401 then says <c>error="invalid_token"</c>;
    /// without one the challenge is a bare <c>Bearer</c> (RFC 6750 section 3.1).
    /// </param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public static Task WriteErrorAsync(HttpResponse response, FlaatError error, bool tokenPresented, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(error);

        response.StatusCode = error.StatusCode;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-store";
        if (error.StatusCode == StatusCodes.Status401Unauthorized && error.Challenges is { } challenges)
        {
            // DPoP: a DPoP challenge and, where bearer tokens are allowed, a Bearer one (RFC 9449 section 7.1).
            foreach (var value in challenges)
            {
                response.Headers.Append(Microsoft.Net.Http.Headers.HeaderNames.WWWAuthenticate, value);
            }

            if (error.DpopNonce is { } nonce)
            {
                response.Headers[DpopToken.NonceHeader] = nonce;
            }
        }
        else if (GetChallenge(error, tokenPresented) is { } challenge)
        {
            // Appended: another scheme of the same policy may challenge too (RFC 9110 allows several).
            response.Headers.Append(Microsoft.Net.Http.Headers.HeaderNames.WWWAuthenticate, challenge);
        }

        if (error.StatusCode == StatusCodes.Status503ServiceUnavailable && error.RetryAfter is { } retryAfter)
        {
            var seconds = Math.Max(1L, (long)Math.Ceiling(retryAfter.TotalSeconds));
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        cancellationToken.ThrowIfCancellationRequested();
        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            error.WriteTo(writer);
        }

        // Not flushed: the response must not start here. An authentication challenge runs once per
        // scheme of a policy, and the next scheme sets its status and WWW-Authenticate after this one;
        // the server sends everything when the request ends.
        return Task.CompletedTask;
    }

    /// <summary>
    /// The RFC 6750 challenge for an error, in its <see cref="FlaatError.ChallengeScheme"/>
    /// (<c>Bearer</c> unless it names another): on a 401 the scheme with the error's
    /// <see cref="FlaatError.ChallengeError"/> when it names one (<c>invalid_request</c> for malformed
    /// credentials), else <c>invalid_token</c> for a presented token and the bare scheme without
    /// one; <c>insufficient_scope</c> on a 403; <see langword="null"/> for other statuses.
    /// </summary>
    /// <param name="error">The error.</param>
    /// <param name="tokenPresented">Whether the request carried a bearer token.</param>
    public static string? GetChallenge(FlaatError error, bool tokenPresented)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.StatusCode switch
        {
            StatusCodes.Status401Unauthorized when error.ChallengeError is { } code => Challenge(error, code),
            StatusCodes.Status401Unauthorized when tokenPresented => Challenge(error, "invalid_token"),
            StatusCodes.Status401Unauthorized => error.ChallengeScheme ?? BearerToken.Scheme,
            StatusCodes.Status403Forbidden => Challenge(error, "insufficient_scope"),
            _ => null,
        };
    }

    private static string Challenge(FlaatError error, string code) =>
        $"{error.ChallengeScheme ?? BearerToken.Scheme} error=\"{code}\", error_description=\"{QuotableDescription(error.Description)}\"";

    // RFC 6750 section 3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E, which
    // also keeps the header value ASCII (servers reject other response header bytes).
    private static string QuotableDescription(string description)
    {
        var length = Math.Min(description.Length, MaxHeaderDescriptionLength);
        return string.Create(length, description, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var c = source[i];
                span[i] = c switch
                {
                    '"' => '\'',
                    '\\' => '/',
                    < ' ' or > '~' => '?',
                    _ => c,
                };
            }
        });
    }
}
