using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.Examples;

/// <summary>
/// The door of a real OP, as its access log would be: a reverse proxy on 127.0.0.1 that forwards
/// every request to the OP unchanged (the <c>Host</c> header too, so the OP names the proxy in the
/// URLs it writes) and remembers, per path, which access token each request carried (the bearer
/// token, or the <c>token</c> form field of an introspection). Start the OP with the proxy's URL as
/// its issuer, and everything Flaat asks the OP passes here.
/// </summary>
internal sealed class CountingOpProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Connection",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _forward = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = System.Net.DecompressionMethods.None });
    private readonly ConcurrentQueue<(string Path, string? Token)> _requests = new();

    private CountingOpProxy(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>Where the proxy listens (<c>http://127.0.0.1:port</c>, no trailing slash): the OP's issuer.</summary>
    public Uri Url { get; }

    /// <summary>Where requests go (the OP's own address); set once the OP listens.</summary>
    public Uri? Target { get; set; }

    /// <summary>Starts the proxy on a free port.</summary>
    public static async Task<CountingOpProxy> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        CountingOpProxy? proxy = null;
        app.Run(context => proxy!.ForwardAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy = new CountingOpProxy(app, new Uri(address.TrimEnd('/')));
        return proxy;
    }

    /// <summary>How many requests to <paramref name="path"/> carried <paramref name="token"/>.</summary>
    public int Count(string path, string token) => _requests.Count(r => r.Path == path && r.Token == token);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _forward.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var target = Target ?? throw new InvalidOperationException("The proxy has no OP to forward to yet.");
        var incoming = context.Request;
        using var body = new MemoryStream();
        await incoming.Body.CopyToAsync(body, context.RequestAborted);
        var bytes = body.ToArray();

        using var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(target, incoming.Path + incoming.QueryString));
        if (bytes.Length > 0 || HttpMethods.IsPost(incoming.Method))
        {
            request.Content = new ByteArrayContent(bytes);
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (HopByHop.Contains(name) || name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        request.Headers.Host = incoming.Host.Value;
        _requests.Enqueue((incoming.Path.Value ?? string.Empty, TokenOf(incoming, bytes)));

        using var response = await _forward.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private static string? TokenOf(HttpRequest request, byte[] body)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return authorization["Bearer ".Length..];
        }

        if (request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(body));
            if (form.TryGetValue("token", out var token))
            {
                return token.ToString();
            }
        }

        return null;
    }
}
