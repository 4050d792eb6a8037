using System.Buffers.Text;
using System.Collections;
using System.Text.Json;

namespace Flaat.Cli;

/// <summary>Where <c>flaat-userinfo</c> finds the access token, and what it can tell about it before asking an OP.</summary>
internal static class TokenSources
{
    /// <summary>The environment variables flaat reads a token from, in flaat's order.</summary>
    public static readonly IReadOnlyList<string> EnvironmentVariables =
        ["ACCESS_TOKEN", "OIDC", "OS_ACCESS_TOKEN", "OIDC_ACCESS_TOKEN", "WATTS_TOKEN", "WATTSON_TOKEN"];

    /// <summary>
    /// The token: the argument itself, standard input for <c>-</c>, else the first non-empty
    /// environment variable of <see cref="EnvironmentVariables"/>. <see langword="null"/> when there is none.
    /// </summary>
    public static async Task<string?> ReadAsync(string? argument, TextReader stdin, IDictionary environment, CancellationToken cancellationToken)
    {
        string? token;
        if (argument == "-")
        {
            token = await stdin.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (argument is not null)
        {
            token = argument;
        }
        else
        {
            token = EnvironmentVariables
                .Select(name => environment[name] as string)
                .FirstOrDefault(value => !string.IsNullOrWhiteSpace(value));
        }

        token = token?.Trim();
        return string.IsNullOrEmpty(token) ? null : token;
    }

    /// <summary>
    /// The <c>iss</c> claim of a JWT, read without verifying anything (it only decides which issuer
    /// to trust by default; Flaat verifies the token afterwards). <see langword="null"/> for an opaque token.
    /// </summary>
    public static string? PeekJwtIssuer(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            // As the engine: only a token whose first part is a JOSE header (a JSON object with alg)
            // is a JWT; any other token is opaque, and its body names no issuer to trust.
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
            if (header.RootElement.ValueKind != JsonValueKind.Object || !header.RootElement.TryGetProperty("alg", out _))
            {
                return null;
            }

            using var body = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            return body.RootElement.ValueKind == JsonValueKind.Object
                   && body.RootElement.TryGetProperty("iss", out var iss)
                   && iss.ValueKind == JsonValueKind.String
                ? iss.GetString()
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            // InvalidOperationException: an iss whose text is not valid UTF-8 or holds a lone surrogate.
            return null;
        }
    }
}
