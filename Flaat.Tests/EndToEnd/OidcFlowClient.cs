using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace Flaat.Tests.EndToEnd;

/// <summary>
/// Gets access tokens from an <see cref="OidcProviderFixture"/> the way a user's application does:
/// a real authorization-code flow with PKCE over HTTP (authorize → login form → consent form →
/// redirect with the code → token endpoint), without a browser.
/// </summary>
public sealed partial class OidcFlowClient : IDisposable
{
    private const string UserScopes = "openid profile email groups eduperson_entitlement";
    private const int MaxRedirects = 12;

    private readonly OidcProviderFixture _op;
    private readonly SemaphoreSlim _discoveryGate = new(1, 1);
    private JsonElement? _discovery;

    internal OidcFlowClient(OidcProviderFixture op)
    {
        _op = op;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = TimeSpan.FromSeconds(20),
        };
    }

    /// <summary>A cookie-less client for calling the OP's endpoints directly.</summary>
    public HttpClient Http { get; }

    /// <summary>The OP's discovery document.</summary>
    public async Task<JsonElement> GetDiscoveryAsync(CancellationToken cancellationToken = default)
    {
        if (_discovery is { } cached)
        {
            return cached;
        }

        await _discoveryGate.WaitAsync(cancellationToken);
        try
        {
            _discovery ??= await GetJsonAsync(Http, _op.Url("/.well-known/openid-configuration"), cancellationToken);
            return _discovery.Value;
        }
        finally
        {
            _discoveryGate.Release();
        }
    }

    /// <summary>An endpoint URL from the discovery document, e.g. <c>userinfo_endpoint</c>.</summary>
    public async Task<Uri> GetEndpointAsync(string name, CancellationToken cancellationToken = default)
    {
        var discovery = await GetDiscoveryAsync(cancellationToken);
        return new Uri(discovery.GetProperty(name).GetString()
            ?? throw new InvalidOperationException($"The OP's discovery document has no {name}."));
    }

    /// <summary>An opaque access token of <paramref name="user"/> (usable at userinfo, introspectable).</summary>
    public async Task<string> GetOpaqueTokenAsync(string user, CancellationToken cancellationToken = default) =>
        (await GetTokensAsync(user, resource: null, cancellationToken: cancellationToken)).AccessToken;

    /// <summary>
    /// A JWT access token of <paramref name="user"/> for <paramref name="resource"/> (its <c>aud</c>),
    /// carrying the user's email, groups and entitlements.
    /// </summary>
    public async Task<string> GetJwtAsync(string user, string resource = OidcProviderFixture.JwtResource, CancellationToken cancellationToken = default) =>
        (await GetTokensAsync(user, resource, cancellationToken: cancellationToken)).AccessToken;

    /// <summary>Runs the whole authorization-code flow for <paramref name="user"/>.</summary>
    /// <param name="user">The login name (<see cref="OidcProviderFixture.Alice"/> or <see cref="OidcProviderFixture.Bob"/>).</param>
    /// <param name="resource">A resource indicator for a JWT access token; <see langword="null"/> for an opaque one.</param>
    /// <param name="clientId">The client: the public app (PKCE only) or the confidential API client (secret too).</param>
    /// <param name="cancellationToken">Cancels the flow.</param>
    /// <param name="dpopKey">When set, a DPoP proof of this key goes to the token endpoint, so the tokens are DPoP-bound to it (RFC 9449).</param>
    public async Task<TokenResponse> GetTokensAsync(
        string user,
        string? resource = null,
        string clientId = OidcProviderFixture.AppClientId,
        CancellationToken cancellationToken = default,
        Flaat.Testing.FakeDpopKey? dpopKey = null)
    {
        var authorize = await GetEndpointAsync("authorization_endpoint", cancellationToken);
        var tokenEndpoint = await GetEndpointAsync("token_endpoint", cancellationToken);
        var state = RandomString();
        var verifier = RandomString();
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

        var query = new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["response_type"] = "code",
            ["redirect_uri"] = OidcProviderFixture.RedirectUri,
            ["scope"] = resource is null ? UserScopes : UserScopes + " api",
            ["state"] = state,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        };
        if (resource is not null)
        {
            query["resource"] = resource;
        }

        // One cookie jar per flow: each flow is a fresh browser session of one user.
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            Timeout = TimeSpan.FromSeconds(20),
        };
        var code = await FollowToCodeAsync(browser, new Uri(QueryHelpers.AddQueryString(authorize.AbsoluteUri, query)), user, state, cancellationToken);

        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = OidcProviderFixture.RedirectUri,
            ["code_verifier"] = verifier,
        };
        if (resource is not null)
        {
            form["resource"] = resource;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        if (clientId == OidcProviderFixture.ApiClientId)
        {
            request.Headers.Authorization = BasicAuthentication(OidcProviderFixture.ApiClientId, OidcProviderFixture.ApiClientSecret);
        }
        else
        {
            form["client_id"] = clientId;
            request.Content = new FormUrlEncodedContent(form);
        }

        if (dpopKey is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", dpopKey.CreateProof("POST", tokenEndpoint.AbsoluteUri));
        }

        using var response = await Http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The token endpoint answered {(int)response.StatusCode}: {body}");
        }

        return TokenResponse.Parse(body);
    }

    /// <summary>The <c>Authorization: Basic</c> header of a client (RFC 6749 2.3.1 form encoding).</summary>
    public static AuthenticationHeaderValue BasicAuthentication(string clientId, string clientSecret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(clientSecret)}")));

    /// <inheritdoc/>
    public void Dispose()
    {
        Http.Dispose();
        _discoveryGate.Dispose();
    }

    private static async Task<string> FollowToCodeAsync(HttpClient browser, Uri start, string user, string state, CancellationToken cancellationToken)
    {
        using var first = await browser.GetAsync(start, cancellationToken);
        var location = await RedirectTargetAsync(first, start, cancellationToken);
        for (var hop = 0; hop < MaxRedirects; hop++)
        {
            if (location.AbsoluteUri.StartsWith(OidcProviderFixture.RedirectUri, StringComparison.Ordinal))
            {
                return ReadCode(location, state);
            }

            if (location.AbsolutePath.StartsWith("/interaction/", StringComparison.Ordinal))
            {
                location = await SubmitInteractionAsync(browser, location, user, cancellationToken);
                continue;
            }

            using var next = await browser.GetAsync(location, cancellationToken);
            location = await RedirectTargetAsync(next, location, cancellationToken);
        }

        throw new InvalidOperationException($"The authorization flow did not reach {OidcProviderFixture.RedirectUri} within {MaxRedirects} redirects.");
    }

    private static async Task<Uri> SubmitInteractionAsync(HttpClient browser, Uri page, string user, CancellationToken cancellationToken)
    {
        using var response = await browser.GetAsync(page, cancellationToken);
        var html = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The interaction page {page} answered {(int)response.StatusCode}: {html}");
        }

        var action = FormAction().Match(html) is { Success: true } match
            ? new Uri(page, WebUtility.HtmlDecode(match.Groups[1].Value))
            : throw new InvalidOperationException($"The interaction page {page} has no form: {html}");
        var prompt = PromptField().Match(html) is { Success: true } promptMatch
            ? promptMatch.Groups[1].Value
            : throw new InvalidOperationException($"The interaction page {page} names no prompt: {html}");

        var fields = prompt switch
        {
            "login" => new Dictionary<string, string> { ["prompt"] = "login", ["login"] = user, ["password"] = "any" },
            "consent" => new Dictionary<string, string> { ["prompt"] = "consent" },
            _ => throw new InvalidOperationException($"Unexpected prompt '{prompt}' at {page}."),
        };

        using var content = new FormUrlEncodedContent(fields);
        using var submitted = await browser.PostAsync(action, content, cancellationToken);
        return await RedirectTargetAsync(submitted, action, cancellationToken);
    }

    private static async Task<Uri> RedirectTargetAsync(HttpResponseMessage response, Uri requested, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (status is < 300 or > 399 || response.Headers.Location is null)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new InvalidOperationException($"Expected a redirect from {requested}, got {status}: {body}");
        }

        return response.Headers.Location.IsAbsoluteUri ? response.Headers.Location : new Uri(requested, response.Headers.Location);
    }

    private static string ReadCode(Uri redirect, string state)
    {
        var parameters = QueryHelpers.ParseQuery(redirect.Query);
        if (parameters.TryGetValue("error", out var error))
        {
            parameters.TryGetValue("error_description", out var description);
            throw new InvalidOperationException($"The OP refused the authorization: {error} {description}");
        }

        if (!parameters.TryGetValue("state", out var returned) || returned != state)
        {
            throw new InvalidOperationException($"The redirect carries the wrong state: {redirect}");
        }

        return parameters.TryGetValue("code", out var code) && code.ToString() is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"The redirect carries no code: {redirect}");
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        return document.RootElement.Clone();
    }

    private static string RandomString() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("<form[^>]*\\saction=\"([^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex FormAction();

    [GeneratedRegex("name=\"prompt\"\\s+value=\"([a-z]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex PromptField();
}

/// <summary>The token endpoint's answer.</summary>
/// <param name="AccessToken">The access token.</param>
/// <param name="TokenType">Its type, <c>Bearer</c>.</param>
/// <param name="ExpiresIn">Its lifetime in seconds.</param>
/// <param name="Scope">The granted scope.</param>
/// <param name="IdToken">The ID token.</param>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Scope, string? IdToken)
{
    internal static TokenResponse Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new TokenResponse(
            root.GetProperty("access_token").GetString()!,
            root.GetProperty("token_type").GetString()!,
            root.GetProperty("expires_in").GetInt32(),
            root.TryGetProperty("scope", out var scope) ? scope.GetString() ?? string.Empty : string.Empty,
            root.TryGetProperty("id_token", out var idToken) ? idToken.GetString() : null);
    }
}
