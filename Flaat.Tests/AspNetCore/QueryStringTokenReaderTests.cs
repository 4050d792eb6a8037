using System.Net;
using CsCheck;
using Flaat.AspNetCore;
using Flaat.Evaluation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// The <c>access_token</c> query parameter: read only on named paths, only for WebSocket upgrades
/// and server-sent-event requests, with the header's grammar; never read anywhere else.
/// </summary>
public sealed class QueryStringTokenReaderTests
{
    private static QueryStringTokenReader Reader(params string[] paths)
    {
        var options = new FlaatEndpointOptions();
        foreach (var path in paths)
        {
            options.QueryTokenPaths.Add(path);
        }

        return new QueryStringTokenReader(Options.Create(options));
    }

    public enum Kind
    {
        Plain,
        WebSocket,
        EventStream,
        PostEventStream,
        UpgradeToOther,
        Http2WebSocket,
    }

    internal static DefaultHttpContext Request(string path, string query, Kind kind)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = kind switch { Kind.PostEventStream => "POST", Kind.Http2WebSocket => "CONNECT", _ => "GET" };
        context.Request.Path = new PathString(path);
        context.Request.QueryString = new QueryString(query);
        switch (kind)
        {
            case Kind.WebSocket or Kind.UpgradeToOther:
                context.Features.Set<IHttpUpgradeFeature>(new Upgradable());
                context.Request.Headers.Upgrade = kind == Kind.WebSocket ? "websocket" : "h2c";
                break;
            case Kind.EventStream or Kind.PostEventStream:
                context.Request.Headers.Accept = "application/json;q=0.5, Text/Event-Stream; charset=utf-8";
                break;
            case Kind.Http2WebSocket:
                context.Features.Set<IHttpExtendedConnectFeature>(new ExtendedConnect());
                break;
        }

        return context;
    }

    [TestCase(Kind.WebSocket)]
    [TestCase(Kind.EventStream)]
    [TestCase(Kind.Http2WebSocket)]
    public void Read_NamedPathUpgradeOrEventStream_TokenFromTheQuery(Kind kind)
    {
        var token = Reader("/hubs/chat").Read(Request("/hubs/chat", "?id=abc&access_token=eyJ.a-b_c~d%2Be%2Ff%3D%3D", kind));

        Assert.Multiple(() =>
        {
            Assert.That(token?.Token, Is.EqualTo("eyJ.a-b_c~d+e/f=="));
            Assert.That(token?.Source, Is.EqualTo(TokenSource.QueryString));
        });
    }

    [TestCase("/hubs/chat", "/hubs/chat", true)]
    [TestCase("/hubs/chat", "/HUBS/Chat/negotiate", true)]
    [TestCase("/hubs/chat/", "/hubs/chat", true)]
    [TestCase("/hubs/chat", "/hubs/chatroom", false)]
    [TestCase("/hubs/chat", "/hubs", false)]
    [TestCase("/hubs/chat", "/api/hubs/chat", false)]
    public void Read_PathPrefix_MatchedOnSegmentBoundaries(string named, string path, bool read)
    {
        var token = Reader(named).Read(Request(path, "?access_token=abc", Kind.WebSocket));

        Assert.That(token is { HasToken: true }, Is.EqualTo(read));
    }

    [TestCase(Kind.Plain)]
    [TestCase(Kind.PostEventStream)]
    [TestCase(Kind.UpgradeToOther)]
    public void Read_NamedPathButNeitherWebSocketNorEventStream_QueryNotRead(Kind kind)
    {
        Assert.That(Reader("/hubs/chat").Read(Request("/hubs/chat", "?access_token=abc", kind)), Is.Null);
    }

    [TestCase("?access_token=", "The access_token query parameter is empty", "invalid_request")]
    [TestCase("?access_token", "The access_token query parameter is empty", "invalid_request")]
    [TestCase("?access_token=a&access_token=b", "The query string has more than one access_token parameter", "invalid_request")]
    [TestCase("?access_token=a&access%5Ftoken=b", "The query string has more than one access_token parameter", "invalid_request")]
    [TestCase("?access_token=a+b", "not an RFC 6750 b64token", "invalid_token")]
    [TestCase("?access_token=%20abc", "not an RFC 6750 b64token", "invalid_token")]
    [TestCase("?access_token=abc%0A", "not an RFC 6750 b64token", "invalid_token")]
    [TestCase("?access_token=a%00b", "not an RFC 6750 b64token", "invalid_token")]
    [TestCase("?access_token=%E2%82%AC", "not an RFC 6750 b64token", "invalid_token")]
    [TestCase("?access_token=%zz", "not an RFC 6750 b64token", "invalid_token")]
    public void Read_MalformedParameter_RefusedWithoutEchoingTheValue(string query, string problem, string error)
    {
        var token = Reader("/hub").Read(Request("/hub", query, Kind.WebSocket))!;

        Assert.Multiple(() =>
        {
            Assert.That(token.HasToken, Is.False);
            Assert.That(token.Problem, Does.Contain(problem));
            Assert.That(token.ChallengeError, Is.EqualTo(error));
            Assert.That(token.ToError().StatusCode, Is.EqualTo(401));
        });
    }

    [Test]
    public void Read_ValueLongerThanAnyToken_RefusedWithoutDecoding()
    {
        var atLimit = Reader("/hub").Read(Request("/hub", "?access_token=" + new string('a', 16 * 1024), Kind.WebSocket));
        var overLimit = Reader("/hub").Read(Request("/hub", "?access_token=" + new string('a', 16 * 1024 + 1), Kind.WebSocket));
        var encodedHuge = Reader("/hub").Read(Request("/hub", "?access_token=" + string.Concat(Enumerable.Repeat("%41", 20_000)), Kind.WebSocket));

        Assert.Multiple(() =>
        {
            Assert.That(atLimit?.HasToken, Is.True);
            Assert.That(overLimit?.Problem, Does.Contain("longer than 16384"));
            Assert.That(encodedHuge?.Problem, Does.Contain("longer than 16384"));
        });
    }

    [Test]
    public void Read_NoParameterOrNoPathNamed_Nothing()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Reader("/hub").Read(Request("/hub", "?id=1&token=abc", Kind.WebSocket)), Is.Null);
            Assert.That(Reader("/hub").Read(Request("/hub", "", Kind.WebSocket)), Is.Null);
            Assert.That(Reader().IsActive, Is.False);
            Assert.That(Reader().Read(Request("/hub", "?access_token=abc", Kind.WebSocket)), Is.Null);
        });
    }

    [Test]
    public void Chain_HeaderAndQueryTokenOnANamedPath_RefusedAsSeveralMethods()
    {
        var chain = new FlaatTokenReaders([new AuthorizationHeaderTokenReader(), Reader("/hub")]);
        var both = Request("/hub", "?access_token=abc", Kind.WebSocket);
        both.Request.Headers.Authorization = "Bearer def";
        var headerElsewhere = Request("/api", "?access_token=abc", Kind.WebSocket);
        headerElsewhere.Request.Headers.Authorization = "Bearer def";

        Assert.Multiple(() =>
        {
            Assert.That(chain.Read(both), Is.SameAs(BearerToken.SeveralMethods));
            Assert.That(chain.Read(both).ToError().Description, Is.EqualTo("The request presents an access token in more than one way"));
            Assert.That(chain.Read(headerElsewhere).Token, Is.EqualTo("def"), "the query is not read off the named paths: the header decides");
        });
    }

    [TestCase("?access_token=a&access_token=b")]
    [TestCase("?access_token=")]
    [TestCase("?access_token=a+b")]
    [TestCase("?access_token=%zz")]
    public void Chain_ValidHeaderAndMalformedOrRepeatedQueryToken_RefusedAsSeveralMethods(string query)
    {
        // RFC 6750 section 2: one method per request; the header's token must not hide the query's problem.
        var chain = new FlaatTokenReaders([new AuthorizationHeaderTokenReader(), Reader("/hub")]);
        var request = Request("/hub", query, Kind.WebSocket);
        request.Request.Headers.Authorization = "Bearer def";

        Assert.That(chain.Read(request), Is.SameAs(BearerToken.SeveralMethods));
    }

    /// <summary>With a valid header, whatever the query holds on a named upgrade: the header's token only when the query presents nothing.</summary>
    [Test]
    public void Chain_GeneratedQueriesBesideAValidHeader_HeaderTokenOnlyWhenTheQueryPresentsNothing()
    {
        var reader = Reader("/hub");
        var chain = new FlaatTokenReaders([new AuthorizationHeaderTokenReader(), reader]);
        var pieces = Gen.OneOf(
            Gen.Const("access_token"), Gen.Const("access%5Ftoken"), Gen.Const("="), Gen.Const("&"), Gen.Const("%"), Gen.Const("+"),
            Gen.Const("%00"), Gen.Const("eyJ.abc"), Gen.String[Gen.Char.AlphaNumeric, 0, 8], Gen.String);

        pieces.Array[0, 10].Select(parts => "?" + string.Concat(parts)).Sample(query =>
        {
            var request = Request("/hub", query, Kind.WebSocket);
            request.Request.Headers.Authorization = "Bearer def";
            var read = chain.Read(request);
            return reader.Read(request) is null
                ? read.Token == "def"
                : ReferenceEquals(read, BearerToken.SeveralMethods);
        });
    }

    [Test]
    public void Chain_NoPathNamed_QueryReaderLeftOut()
    {
        var services = new ServiceCollection();
        services.AddFlaat(o => o.TrustedIssuers.Add(FakeAuthenticator.Issuer));
        using var provider = services.BuildServiceProvider();
        var chain = provider.GetRequiredService<FlaatTokenReaders>();

        var read = chain.Read(Request("/hub", "?access_token=abc", Kind.WebSocket));

        Assert.That(read, Is.SameAs(PresentedToken.None));
    }

    [Test]
    public async Task AddFlaat_PathsFromConfiguration_QueryTokenReadThereOnly()
    {
        var op = new FakeAuthenticator();
        await using var app = await TestApp.StartAsync(op, builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Flaat:TrustedIssuers:0"] = FakeAuthenticator.Issuer,
                ["Flaat:QueryTokenPaths:0"] = "/events",
            });
            builder.Services.AddFlaat();
        }, web =>
        {
            web.MapGet("/events", (UserInfos user) => user.Subject).RequireFlaat();
            web.MapGet("/other", (UserInfos user) => user.Subject).RequireFlaat();
        });

        async Task<(HttpStatusCode, string)> Get(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await app.Client.SendAsync(request);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var events = await Get("/events?access_token=user.alice");
        var other = await Get("/other?access_token=user.alice");
        using var plain = await app.Client.GetAsync("/events?access_token=user.alice");

        Assert.Multiple(() =>
        {
            Assert.That(events, Is.EqualTo((HttpStatusCode.OK, "alice")));
            Assert.That(other.Item1, Is.EqualTo(HttpStatusCode.Unauthorized), "not a named path");
            Assert.That(plain.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a plain GET on the named path");
        });
    }

    [TestCase("hubs/chat")]
    [TestCase("/hub?x=1")]
    [TestCase(" ")]
    [TestCase("/")]
    [TestCase("//")]
    public void AddFlaat_BadPath_StartFailsNamingTheSetting(string path)
    {
        var exception = Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = await TestApp.StartAsync(new FakeAuthenticator(), builder =>
                builder.Services.AddFlaat(o => o.TrustedIssuers.Add(FakeAuthenticator.Issuer)).ReadQueryTokenOn("/fine", path),
                web => web.MapGet("/", () => "ok"));
        });

        Assert.That(exception!.Message, Does.Contain("Flaat:QueryTokenPaths:1"));
    }

    [Test]
    public void AddFlaat_EveryPathNamed_StartFailsSayingToNameThePaths()
    {
        // The issue: the query token only "on the paths the app names"; '/' would put tokens in every URL.
        var exception = Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = await TestApp.StartAsync(new FakeAuthenticator(), builder =>
                builder.Services.AddFlaat(o => o.TrustedIssuers.Add(FakeAuthenticator.Issuer)).ReadQueryTokenOn("/"),
                web => web.MapGet("/", () => "ok"));
        });

        Assert.That(exception!.Message, Does.Contain("Flaat:QueryTokenPaths:0").And.Contain("names every path"));
    }

    /// <summary>The reader runs on every request once a path is named: where it has nothing to do it allocates nothing.</summary>
    [Test]
    public void Read_NotANamedPathOrNotAnUpgrade_AllocatesNothing()
    {
        var reader = Reader("/hubs/chat", "/events");
        var elsewhere = Request("/api/items", "?access_token=abc", Kind.WebSocket);
        var plain = Request("/hubs/chat", "?access_token=abc", Kind.Plain);
        var noParameter = Request("/hubs/chat", "?id=abc&negotiateVersion=1", Kind.WebSocket);
        _ = (reader.Read(elsewhere), reader.Read(plain), reader.Read(noParameter));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = (reader.Read(elsewhere), reader.Read(plain), reader.Read(noParameter));
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    /// <summary>Hostile requests: paths, methods, headers and query strings of any shape.</summary>
    [Test]
    public void Read_GeneratedHostileRequests_NeverThrowsAndReadsOnlyNamedUpgradeOrEventStreamRequests()
    {
        var reader = Reader("/hub", "/sse/");
        var segment = Gen.OneOf(Gen.Const("hub"), Gen.Const("HUB"), Gen.Const("hubx"), Gen.Const("sse"), Gen.Const("negotiate"), Gen.String[Gen.Char["a-z%./"], 0, 6]);
        var path = segment.Array[0, 4].Select(parts => "/" + string.Join('/', parts));
        var pieces = Gen.OneOf(
            Gen.Const("access_token"), Gen.Const("access%5Ftoken"), Gen.Const("="), Gen.Const("&"), Gen.Const("%"), Gen.Const("%2B"),
            Gen.Const("+"), Gen.Const("%00"), Gen.Const("%E2%82"), Gen.Const("eyJ.abc"), Gen.Const("#"), Gen.Const("?"),
            Gen.String[Gen.Char.AlphaNumeric, 0, 8], Gen.String);
        var query = pieces.Array[0, 12].Select(parts => "?" + string.Concat(parts));
        var kind = Gen.Enum<Kind>();

        Gen.Select(path, query, kind).Sample((p, q, k) =>
        {
            var read = reader.Read(Request(p, q, k));
            var named = new PathString(p).StartsWithSegments("/hub", StringComparison.OrdinalIgnoreCase)
                || new PathString(p).StartsWithSegments("/sse", StringComparison.OrdinalIgnoreCase);
            var upgradeOrStream = k is Kind.WebSocket or Kind.EventStream or Kind.Http2WebSocket;
            if (!named || !upgradeOrStream)
            {
                return read is null;
            }

            // Where it reads: a token only of the grammar's shape, else a refusal that never repeats the query.
            return read is null
                || (read.HasToken && read.Token!.Length > 0 && read.Token.All(c => char.IsAsciiLetterOrDigit(c) || "-._~+/=".Contains(c)))
                || (!read.HasToken && read.ChallengeError is not null && !read.Problem!.Contains(q, StringComparison.Ordinal));
        });
    }

    /// <summary>Every well-formed token, percent-encoded as clients do, is read back exactly.</summary>
    [Test]
    public void Read_GeneratedTokensEncodedAsClientsDo_ReadBackExactly()
    {
        var token = Gen.String[Gen.Char["ABCXYZabcxyz0189-._~+/"], 1, 200].Select(Gen.Int[0, 2], (body, pad) => body + new string('=', pad));

        token.Sample(value =>
        {
            var read = Reader("/hub").Read(Request("/hub", "?id=x&access_token=" + Uri.EscapeDataString(value) + "&v=1", Kind.EventStream));
            return read is { HasToken: true, Source: TokenSource.QueryString } && read.Token == value;
        });
    }

    private sealed class Upgradable : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => true;

        public Task<Stream> UpgradeAsync() => throw new NotSupportedException();
    }

    private sealed class ExtendedConnect : IHttpExtendedConnectFeature
    {
        public bool IsExtendedConnect => true;

        public string? Protocol => "websocket";

        public ValueTask<Stream> AcceptAsync() => throw new NotSupportedException();
    }
}
