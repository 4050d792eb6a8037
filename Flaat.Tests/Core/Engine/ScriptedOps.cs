using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Flaat.Tests.Core.Engine;

/// <summary>
/// A hand-written <see cref="HttpMessageHandler"/> playing several OPs at once, for tests that script
/// the OPs' answers exactly (hostile, malformed, or in a given order) without a network: discovery for
/// each issuer, and userinfo and introspection answers from a script per issuer.
/// </summary>
internal sealed class ScriptedOps : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Op> _ops = new(StringComparer.Ordinal);

    /// <summary>Adds an OP at <paramref name="issuer"/> (no trailing slash); its answers start as 401s.</summary>
    public Op Add(string issuer)
    {
        var op = new Op(issuer);
        _ops[new Uri(issuer).Authority] = op;
        return op;
    }

    public HttpClient CreateClient() => new(this, disposeHandler: false);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!_ops.TryGetValue(request.RequestUri!.Authority, out var op))
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        var path = request.RequestUri.AbsolutePath;
        string token;
        Func<string, Answer> script;
        if (path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref op.DiscoveryCalls);
            return Json(200, op.Discovery());
        }
        else if (path.EndsWith("/userinfo", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref op.UserInfoCalls);
            token = request.Headers.Authorization?.Parameter ?? string.Empty;
            script = op.UserInfo;
        }
        else if (path.EndsWith("/introspect", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref op.IntrospectionCalls);
            var form = await request.Content!.ReadAsStringAsync(cancellationToken);
            token = Uri.UnescapeDataString(form.Split('&').First(p => p.StartsWith("token=", StringComparison.Ordinal))[6..].Replace('+', ' '));
            script = op.Introspection;
        }
        else
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        var answer = script(token);
        if (answer.Until is { } until)
        {
            await until.WaitAsync(cancellationToken);
        }

        return Json(answer.Status, answer.Body);
    }

    private static HttpResponseMessage Json(int status, string body) =>
        new((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    /// <summary>An answer: status, raw body text (so that it may be malformed, or repeat a key), and what it waits for, if anything.</summary>
    internal sealed record Answer(int Status, string Body, Task? Until = null)
    {
        public static readonly Answer Unauthorized = new(401, """{"error":"invalid_token"}""");

        public static Answer Ok(string body) => new(200, body);
    }

    internal sealed class Op(string issuer)
    {
        public int DiscoveryCalls;
        public int UserInfoCalls;
        public int IntrospectionCalls;

        public string Issuer { get; } = issuer;

        public bool Introspects { get; set; }

        /// <summary>The issuer the discovery document names; another than <see cref="Issuer"/> makes it a broken configuration.</summary>
        public string? DiscoveryIssuer { get; set; }

        public Func<string, Answer> UserInfo { get; set; } = _ => Answer.Unauthorized;

        public Func<string, Answer> Introspection { get; set; } = _ => Answer.Ok("""{"active":false}""");

        public string Discovery()
        {
            var document = new JsonObject
            {
                ["issuer"] = DiscoveryIssuer ?? Issuer,
                ["userinfo_endpoint"] = Issuer + "/userinfo",
                ["jwks_uri"] = Issuer + "/jwks",
            };
            if (Introspects)
            {
                document["introspection_endpoint"] = Issuer + "/introspect";
            }

            return document.ToJsonString();
        }
    }
}
