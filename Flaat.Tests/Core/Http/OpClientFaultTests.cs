using System.Net;
using System.Net.Sockets;
using Flaat.Diagnostics;
using Flaat.Engine;
using Flaat.Http;
using Flaat.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core.Http;

/// <summary>
/// Which faults count against an OP. A fault on this side, before a request leaves the machine, is
/// never an OP outage: not retried, not counted by the circuit breaker, not a 503.
/// </summary>
public sealed class OpClientFaultTests
{
    /// <summary>Passes requests to a real OP, except userinfo requests, which fail here with the given fault while <see cref="Faulty"/>.</summary>
    private sealed class UserInfoFaultHandler(Func<Exception> fault) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _userInfoAttempts;

        public bool Faulty { get; set; } = true;

        public int UserInfoAttempts => Volatile.Read(ref _userInfoAttempts);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Faulty && request.RequestUri!.AbsolutePath.EndsWith("/userinfo", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _userInfoAttempts);
                throw fault();
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>
    /// An engine whose OP answered discovery, JWKS and userinfo once, long enough ago that those
    /// successes have left the circuit breaker's 30 s sampling window: from then on, two failures in a
    /// row (threshold 2) open the circuit. The handler is faulty again when it returns.
    /// </summary>
    private static FlaatAuthenticator WarmEngine(FakeOpenIdProvider op, UserInfoFaultHandler handler, HttpClient http, FakeTimeProvider time)
    {
        var options = EngineTestKit.OptionsFor(op);
        options.Resilience.MaxRetries = 1;
        options.Resilience.CircuitBreakerFailureThreshold = 2;
        options.Cache.RejectionLifetime = TimeSpan.Zero;
        var engine = new FlaatAuthenticator(options, http, time);
        handler.Faulty = false;
        var warmUp = engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("warm-up")))).AsTask().GetAwaiter().GetResult();
        Assert.That(warmUp.Error, Is.Null, "warm-up");
        time.Advance(TimeSpan.FromMinutes(1));
        handler.Faulty = true;
        return engine;
    }

    private static IEnumerable<TestCaseData> LocalFaults()
    {
        // What SocketsHttpHandler throws for a header value it will not write (see the test below).
        yield return new TestCaseData(new Func<Exception>(() => new HttpRequestException("Request headers must contain only ASCII characters."))).SetArgDisplayNames("non-ASCII header");
        yield return new TestCaseData(new Func<Exception>(() => new HttpRequestException(HttpRequestError.UserAuthenticationError, "credentials"))).SetArgDisplayNames("UserAuthenticationError");
        yield return new TestCaseData(new Func<Exception>(() => new InvalidOperationException("handler misconfigured"))).SetArgDisplayNames("InvalidOperationException");
        yield return new TestCaseData(new Func<Exception>(() => new FormatException("The format of value 'secret' is invalid."))).SetArgDisplayNames("FormatException");
    }

    [TestCaseSource(nameof(LocalFaults))]
    public async Task AuthenticateAsync_FaultBeforeTheRequestLeaves_500NotRetriedAndNoCircuitOpens(Func<Exception> fault)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = time });
        using var handler = new UserInfoFaultHandler(fault);
        using var http = new HttpClient(handler);
        using var engine = WarmEngine(op, handler, http, time);

        var failures = new List<FlaatError?>();
        for (var i = 0; i < 4; i++)
        {
            failures.Add((await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("u" + i))))).Error);
        }

        handler.Faulty = false;
        var afterwards = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("late"))));

        Assert.Multiple(() =>
        {
            Assert.That(failures.Select(f => f?.StatusCode), Is.All.EqualTo(500), "a fault on this side is not an OP outage (503) nor the token's fault (401)");
            Assert.That(failures[0]!.Description, Does.Contain("failed on this machine before it reached the OP"));
            Assert.That(failures[0]!.Description, Does.Not.Contain("secret"), "an exception's message may quote a header value: it is not repeated");
            Assert.That(handler.UserInfoAttempts, Is.EqualTo(4), "one attempt per token: not retried");
            Assert.That(afterwards.Error, Is.Null, "the circuit did not open (two OP failures would have opened it)");
        });
    }

    private static IEnumerable<TestCaseData> NetworkFaults()
    {
        yield return new TestCaseData(new Func<Exception>(() => new HttpRequestException(HttpRequestError.ConnectionError, "refused"))).SetArgDisplayNames("ConnectionError");
        yield return new TestCaseData(new Func<Exception>(() => new HttpRequestException(HttpRequestError.ResponseEnded, "ended"))).SetArgDisplayNames("ResponseEnded");
        yield return new TestCaseData(new Func<Exception>(() => new HttpRequestException("reset", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))))).SetArgDisplayNames("Unknown with IOException inside");
    }

    [TestCaseSource(nameof(NetworkFaults))]
    public async Task AuthenticateAsync_NetworkFault_503RetriedAndCounted(Func<Exception> fault)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var op = FakeOpenIdProvider.Start(new FakeOpenIdProviderOptions { TimeProvider = time });
        using var handler = new UserInfoFaultHandler(fault);
        using var http = new HttpClient(handler);
        using var engine = WarmEngine(op, handler, http, time);

        var first = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("a"))));
        var attemptsForFirst = handler.UserInfoAttempts;
        handler.Faulty = false;
        var afterwards = await engine.AuthenticateAsync(new AuthenticationRequest(op.CreateJwt(new FakeUser("b"))));

        Assert.Multiple(() =>
        {
            Assert.That(first.Error?.StatusCode, Is.EqualTo(503));
            Assert.That(attemptsForFirst, Is.EqualTo(2), "one attempt and one retry");
            Assert.That(afterwards.Error?.Description, Does.Contain("circuit is open"), "two failed attempts opened the circuit");
        });
    }

    [Test]
    public void IsNetworkFailure_WhatSocketsHttpHandlerThrowsForANonAsciiHeader_IsLocal()
    {
        using var op = FakeOpenIdProvider.Start();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, op.UserInfoEndpoint);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer t\u00f6ken");

        var exception = Assert.ThrowsAsync<HttpRequestException>(() => http.SendAsync(request));

        Assert.That(OpFaults.IsNetworkFailure(exception!), Is.False, exception!.ToString());
        Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero);
    }

    [Test]
    public void IsNetworkFailure_WhatSocketsHttpHandlerThrowsForARefusedConnection_IsAnOpFailure()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        using var http = new HttpClient();

        var exception = Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri($"http://127.0.0.1:{port}/userinfo")));

        Assert.That(OpFaults.IsNetworkFailure(exception!), Is.True, exception!.ToString());
    }

    [TestCase("t\u00f6ken")]
    [TestCase("abc def")]
    [TestCase("abc\r\nX-Injected: 1")]
    [TestCase("")]
    public async Task GetUserInfoAsync_TokenThatCannotBeAHeaderValue_RejectedWithoutRequest(string token)
    {
        using var op = FakeOpenIdProvider.Start();
        using var http = new HttpClient();
        var options = EngineTestKit.OptionsFor(op);
        var client = new OpClient(http, options, TimeProvider.System, FlaatTelemetry.Shared);
        var target = new OpTarget(op.Issuer, client.CreatePipeline());

        var result = await client.GetUserInfoAsync(target, new Uri(op.UserInfoEndpoint), token, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result.Kind, Is.EqualTo(OpResultKind.Rejected));
            Assert.That(result.StatusCode, Is.Zero);
            Assert.That(result.Problem, Is.EqualTo("the token cannot be sent in an HTTP header"));
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero);
        });
    }
}
