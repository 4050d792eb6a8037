using System.Text.Json;
using Flaat.Grpc;
using Flaat.Testing;
using Flaat.Tests.Grpc.Proto;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.Grpc;

/// <summary>Flaat's gRPC interceptor, called by a real gRPC client, against a fake OP.</summary>
public sealed class FlaatServerInterceptorTests
{
    private FakeOpenIdProvider _op = null!;
    private GrpcTestHost _host = null!;
    private FakeUser _alice = null!;
    private FakeUser _bob = null!;
    private string _aliceToken = null!;
    private string _bobToken = null!;

    private Annotated.AnnotatedClient AnnotatedClient => new(_host.Channel);

    private Plain.PlainClient PlainClient => new(_host.Channel);

    private Convention.ConventionClient ConventionClient => new(_host.Channel);

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _op = FakeOpenIdProvider.Start();
        _alice = new FakeUser("alice").WithClaim("email", "alice@example.org").WithClaim("groups", new[] { "admins", "users" });
        _bob = new FakeUser("bob").WithClaim("groups", new[] { "users" });
        _aliceToken = _op.CreateJwt(_alice);
        _bobToken = _op.CreateJwt(_bob);
        _host = await GrpcTestHost.StartAsync(_op);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _host.DisposeAsync();
        await _op.DisposeAsync();
    }

    [SetUp]
    public void ResetCounters() => _host.Counter.Reset();

    [TearDown]
    public void RestoreOp() => _op.Restore();

    private static Metadata Bearer(string token, string scheme = "Bearer") => new() { { "authorization", $"{scheme} {token}" } };

    private static JsonElement ErrorBody(RpcException exception) => ErrorBody(exception.Trailers);

    private static JsonElement ErrorBody(Metadata trailers)
    {
        var bytes = trailers.GetValueBytes(FlaatGrpcStatus.ErrorTrailer);
        Assert.That(bytes, Is.Not.Null, "the flaat-error-bin trailer");
        using var json = JsonDocument.Parse(bytes!);
        return json.RootElement.Clone();
    }

    private static void AssertRefused(RpcException exception, StatusCode code, string error, string description)
    {
        var body = ErrorBody(exception);
        Assert.Multiple(() =>
        {
            Assert.That(exception.StatusCode, Is.EqualTo(code), exception.Status.Detail);
            Assert.That(exception.Status.Detail, Is.EqualTo(description));
            Assert.That(body.GetProperty("error").GetString(), Is.EqualTo(error));
            Assert.That(body.GetProperty("error_description").GetString(), Is.EqualTo(description));
        });
    }

    [Test]
    public void Unary_NoToken_IsUnauthenticatedWithBareChallengeAndHandlerNotRun()
    {
        var exception = Assert.ThrowsAsync<RpcException>(async () => await AnnotatedClient.WhoAmIAsync(new ProbeRequest()));

        AssertRefused(exception!, StatusCode.Unauthenticated, "Unauthenticated", "No authorization header");
        Assert.Multiple(() =>
        {
            Assert.That(exception!.Trailers.GetValue("www-authenticate"), Is.EqualTo("Bearer"));
            Assert.That(_host.Counter.Runs("/flaat.test.Annotated/WhoAmI"), Is.Zero);
        });
    }

    [Test]
    public void Unary_WrongScheme_IsUnauthenticated()
    {
        var exception = Assert.ThrowsAsync<RpcException>(async () => await AnnotatedClient.WhoAmIAsync(new ProbeRequest(), Bearer("YWxpY2U6c2VjcmV0", "Basic")));

        AssertRefused(exception!, StatusCode.Unauthenticated, "Unauthenticated", "No bearer token in authorization header");
    }

    [TestCase("t\u00f6ken")]
    [TestCase("\u00e9\u00e9\u00e9")]
    [TestCase("a=b")]
    [TestCase("abc, Bearer def")]
    public void Unary_TokenOutsideB64TokenGrammar_IsUnauthenticatedInvalidTokenWithoutOpCall(string token)
    {
        _op.ResetRequestCounts();

        var exception = Assert.ThrowsAsync<RpcException>(async () => await AnnotatedClient.WhoAmIAsync(new ProbeRequest(), Bearer(token)));

        AssertRefused(exception!, StatusCode.Unauthenticated, "Unauthenticated", TokenGrammar.BadCharacters);
        Assert.Multiple(() =>
        {
            Assert.That(exception!.Trailers.GetValue("www-authenticate"), Does.StartWith("Bearer error=\"invalid_token\""));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo) + _op.RequestCount(FakeOpenIdEndpoint.Discovery), Is.Zero);
            Assert.That(_host.Counter.Runs("/flaat.test.Annotated/WhoAmI"), Is.Zero);
        });
    }

    [Test]
    public void Unary_TwoAuthorizationEntries_IsUnauthenticatedInvalidRequestWithoutOpCall()
    {
        _op.ResetRequestCounts();
        var headers = new Metadata { { "authorization", "Bearer " + _aliceToken }, { "authorization", "Bearer " + _bobToken } };

        var exception = Assert.ThrowsAsync<RpcException>(async () => await AnnotatedClient.WhoAmIAsync(new ProbeRequest(), headers));

        AssertRefused(exception!, StatusCode.Unauthenticated, "Unauthenticated", "The request carries more than one authorization header");
        Assert.Multiple(() =>
        {
            Assert.That(exception!.Trailers.GetValue("www-authenticate"), Does.StartWith("Bearer error=\"invalid_request\""));
            Assert.That(_op.RequestCount(FakeOpenIdEndpoint.UserInfo) + _op.RequestCount(FakeOpenIdEndpoint.Discovery), Is.Zero);
        });
    }

    [Test]
    public void Unary_TokenNotFromTrustedOp_IsUnauthenticatedInvalidToken()
    {
        var exception = Assert.ThrowsAsync<RpcException>(async () => await AnnotatedClient.WhoAmIAsync(new ProbeRequest(), Bearer("not-a-token")));

        Assert.Multiple(() =>
        {
            Assert.That(exception!.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
            Assert.That(ErrorBody(exception).GetProperty("error").GetString(), Is.EqualTo("Unauthenticated"));
            Assert.That(exception.Trailers.GetValue("www-authenticate"), Does.StartWith("Bearer error=\"invalid_token\""));
        });
    }

    [TestCase("Bearer")]
    [TestCase("bearer")]
    [TestCase("BEARER")]
    public async Task Unary_GoodTokenAnySchemeCase_HandlerSeesUserInfos(string scheme)
    {
        var reply = await AnnotatedClient.WhoAmIAsync(new ProbeRequest(), Bearer(_aliceToken, scheme));

        Assert.Multiple(() =>
        {
            Assert.That(reply.Subject, Is.EqualTo("alice"));
            Assert.That(reply.Text, Is.EqualTo("alice@example.org"));
        });
    }

    [Test]
    public void PerMethod_AccessLevelNotMet_IsPermissionDeniedWithErrorDetails()
    {
        var exception = Assert.ThrowsAsync<RpcException>(async () => await AnnotatedClient.AdminAsync(new ProbeRequest(), Bearer(_bobToken)));

        AssertRefused(exception!, StatusCode.PermissionDenied, "Forbidden", $"User bob@{_op.Issuer} does not meet requirements");
        Assert.Multiple(() =>
        {
            Assert.That(ErrorBody(exception!).GetProperty("error_details").ToString(), Does.Contain("admins"));
            Assert.That(exception!.Trailers.GetValue("www-authenticate"), Does.StartWith("Bearer error=\"insufficient_scope\""));
            Assert.That(_host.Counter.Runs("/flaat.test.Annotated/Admin"), Is.Zero);
        });
    }

    [Test]
    public async Task PerMethod_AccessLevelMet_RunsHandler()
    {
        var reply = await AnnotatedClient.AdminAsync(new ProbeRequest(), Bearer(_aliceToken));

        Assert.That(reply.Text, Is.EqualTo("admin"));
    }

    [Test]
    public void PerServiceAndPerMethod_NoToken_ServiceDemandAppliesFirst()
    {
        var exception = Assert.ThrowsAsync<RpcException>(async () => await AnnotatedClient.AdminAsync(new ProbeRequest()));

        Assert.That(exception!.StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
    }

    [Test]
    public async Task NoMetadata_NoToken_LeftAloneWithoutUser()
    {
        var reply = await PlainClient.OpenAsync(new ProbeRequest());

        Assert.That(reply.Subject, Is.EqualTo("anonymous"));
    }

    [Test]
    public async Task NoMetadata_GoodToken_NotEvaluatedSoNoUser()
    {
        var reply = await PlainClient.OpenAsync(new ProbeRequest(), Bearer(_aliceToken));

        Assert.That(reply.Subject, Is.EqualTo("anonymous"));
    }

    [TestCase(null, StatusCode.Unauthenticated)]
    [TestCase("bob", StatusCode.PermissionDenied)]
    [TestCase("alice", StatusCode.OK)]
    public async Task MethodMetadataOnly_ProtectsThatMethod(string? user, StatusCode expected)
    {
        var headers = user switch { "alice" => Bearer(_aliceToken), "bob" => Bearer(_bobToken), _ => null };

        var status = await StatusOfAsync(async () => await PlainClient.AdminAsync(new ProbeRequest(), headers));

        Assert.That(status, Is.EqualTo(expected));
    }

    [TestCase(null, "anonymous")]
    [TestCase("garbage", "anonymous")]
    [TestCase("alice", "alice")]
    public async Task Optional_MethodRelaxesService_RunsWithUserOrNone(string? token, string expected)
    {
        var headers = token switch { "alice" => Bearer(_aliceToken), null => null, _ => Bearer(token) };

        var reply = await AnnotatedClient.OptionalAsync(new ProbeRequest(), headers);

        Assert.That(reply.Subject, Is.EqualTo(expected));
    }

    [Test]
    public async Task RequestRequirement_CallMetadataNamesCaller_RunsHandler()
    {
        var headers = Bearer(_aliceToken);
        headers.Add(Probe.NameHeader, "alice");

        var reply = await AnnotatedClient.NameIsCallerAsync(new ProbeRequest(), headers);

        Assert.That(reply.Subject, Is.EqualTo("alice"));
    }

    [Test]
    public void RequestRequirement_CallMetadataNamesSomeoneElse_IsPermissionDeniedListingTheCheck()
    {
        var headers = Bearer(_aliceToken);
        headers.Add(Probe.NameHeader, "bob");

        var exception = Assert.ThrowsAsync<RpcException>(async () => await AnnotatedClient.NameIsCallerAsync(new ProbeRequest(), headers));

        AssertRefused(exception!, StatusCode.PermissionDenied, "Forbidden", $"Request from user alice@{_op.Issuer} does not meet requirements");
        Assert.That(ErrorBody(exception!).GetProperty("error_details").ToString(), Is.EqualTo("""["The name is not alice"]"""));
    }

    [Test]
    public void FailureInsideFlaat_IsInternalWithErrorBody()
    {
        var exception = Assert.ThrowsAsync<RpcException>(async () => await PlainClient.BrokenAsync(new ProbeRequest(), Bearer(_aliceToken)));

        AssertRefused(exception!, StatusCode.Internal, "Error", BrokenRequirementAttribute.Message);
        Assert.That(_host.Counter.Runs("/flaat.test.Plain/Broken"), Is.Zero);
    }

    [Test]
    public void OpDown_IsUnavailableWithPushbackNotBadToken()
    {
        _op.SimulateDown();
        var freshToken = _op.CreateJwt(_alice);

        var exception = Assert.ThrowsAsync<RpcException>(async () => await AnnotatedClient.WhoAmIAsync(new ProbeRequest(), Bearer(freshToken)));

        Assert.Multiple(() =>
        {
            Assert.That(exception!.StatusCode, Is.EqualTo(StatusCode.Unavailable), exception.Status.Detail);
            Assert.That(ErrorBody(exception).GetProperty("error").GetString(), Is.EqualTo("Unavailable"));
            Assert.That(exception.Status.Detail, Is.EqualTo(ErrorBody(exception).GetProperty("error_description").GetString()));
            Assert.That(exception.Trailers.GetValue("grpc-retry-pushback-ms"), Is.Not.Null);
            Assert.That(exception.Trailers.GetValue("www-authenticate"), Is.Null);
        });
    }

    [Test]
    public void OpDown_OptionalAuthentication_IsUnavailableNotAnonymous()
    {
        _op.SimulateDown();
        var freshToken = _op.CreateJwt(_alice);

        var exception = Assert.ThrowsAsync<RpcException>(async () => await AnnotatedClient.OptionalAsync(new ProbeRequest(), Bearer(freshToken)));

        Assert.That(exception!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
    }

    [Test]
    public async Task ServerStreaming_GoodToken_StreamsWithUser()
    {
        using var call = AnnotatedClient.ServerStream(new ProbeRequest { Name = "n" }, Bearer(_aliceToken));

        var replies = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.That(replies.Select(static r => $"{r.Subject}:{r.Text}"), Is.EqualTo(new[] { "alice:n 0", "alice:n 1", "alice:n 2" }));
    }

    [Test]
    public void ServerStreaming_NoToken_RefusedAndHandlerNotRun()
    {
        using var call = AnnotatedClient.ServerStream(new ProbeRequest());

        var exception = Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNext());

        AssertRefused(exception!, StatusCode.Unauthenticated, "Unauthenticated", "No authorization header");
        Assert.That(_host.Counter.Runs("/flaat.test.Annotated/ServerStream"), Is.Zero);
    }

    [Test]
    public async Task ClientStreaming_GoodToken_HandlerReadsTheStream()
    {
        using var call = AnnotatedClient.ClientStream(Bearer(_aliceToken));
        await call.RequestStream.WriteAsync(new ProbeRequest { Name = "a" });
        await call.RequestStream.WriteAsync(new ProbeRequest { Name = "b" });
        await call.RequestStream.CompleteAsync();

        var reply = await call.ResponseAsync;

        Assert.That($"{reply.Subject}:{reply.Text}", Is.EqualTo("alice:a,b"));
    }

    [Test]
    public async Task ClientStreaming_BadToken_RefusedAndHandlerNotRun()
    {
        using var call = AnnotatedClient.ClientStream(Bearer("not-a-token"));

        var exception = await RefusalOfAsync(async () =>
        {
            await call.RequestStream.WriteAsync(new ProbeRequest { Name = "a" });
            await call.RequestStream.CompleteAsync();
            await call.ResponseAsync;
        });

        Assert.Multiple(() =>
        {
            Assert.That(exception, Is.Not.Null);
            Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
            Assert.That(_host.Counter.Runs("/flaat.test.Annotated/ClientStream"), Is.Zero);
        });
    }

    [Test]
    public async Task Duplex_GoodToken_EchoesWithUser()
    {
        using var call = AnnotatedClient.Duplex(Bearer(_aliceToken));
        await call.RequestStream.WriteAsync(new ProbeRequest { Name = "ping" });
        await call.RequestStream.CompleteAsync();

        var replies = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Multiple(() =>
        {
            Assert.That(replies.Select(static r => $"{r.Subject}:{r.Text}"), Is.EqualTo(new[] { "alice:ping" }));
            Assert.That(_host.Counter.Runs("/flaat.test.Annotated/Duplex"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Duplex_NoToken_RefusedAndHandlerNotRun()
    {
        using var call = AnnotatedClient.Duplex();

        // A client that writes before it reads may learn of the end of the call from the write
        // (as Cancelled); the call's status and trailers carry Flaat's refusal either way.
        var exception = await RefusalOfAsync(async () =>
        {
            await call.RequestStream.WriteAsync(new ProbeRequest { Name = "ping" });
            await call.RequestStream.CompleteAsync();
            await call.ResponseStream.ReadAllAsync().ToListAsync();
        });

        Assert.Multiple(() =>
        {
            Assert.That(exception, Is.Not.Null);
            Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unauthenticated));
            Assert.That(call.GetStatus().Detail, Is.EqualTo("No authorization header"));
            Assert.That(ErrorBody(call.GetTrailers()).GetProperty("error_description").GetString(), Is.EqualTo("No authorization header"));
            Assert.That(_host.Counter.Runs("/flaat.test.Annotated/Duplex"), Is.Zero);
        });
    }

    [TestCase(null, StatusCode.Unauthenticated)]
    [TestCase("bob", StatusCode.PermissionDenied)]
    [TestCase("alice", StatusCode.OK)]
    public async Task Convention_OnMapGrpcService_ProtectsEveryMethod(string? user, StatusCode expected)
    {
        var headers = user switch { "alice" => Bearer(_aliceToken), "bob" => Bearer(_bobToken), _ => null };

        var unary = await StatusOfAsync(async () => await ConventionClient.WhoAmIAsync(new ProbeRequest(), headers));
        var duplex = await StatusOfAsync(async () =>
        {
            using var call = ConventionClient.Duplex(headers);
            await call.RequestStream.CompleteAsync();
            await call.ResponseStream.ReadAllAsync().ToListAsync();
        });

        Assert.Multiple(() =>
        {
            Assert.That(unary, Is.EqualTo(expected));
            Assert.That(duplex, Is.EqualTo(expected));
            Assert.That(_host.Counter.Runs("/flaat.test.Convention/Duplex"), Is.EqualTo(expected == StatusCode.OK ? 1 : 0));
        });
    }

    [Test]
    public async Task RequireAuthenticationByDefault_MethodWithoutMetadata_IsProtected()
    {
        await using var host = await GrpcTestHost.StartAsync(_op, services =>
        {
            services.AddGrpc().AddFlaat();
            services.Configure<Flaat.AspNetCore.FlaatEndpointOptions>(options => options.RequireAuthenticationByDefault = true);
        });
        var client = new Plain.PlainClient(host.Channel);

        var anonymous = await StatusOfAsync(async () => await client.OpenAsync(new ProbeRequest()));
        var reply = await client.OpenAsync(new ProbeRequest(), Bearer(_bobToken));

        Assert.Multiple(() =>
        {
            Assert.That(anonymous, Is.EqualTo(StatusCode.Unauthenticated));
            Assert.That(reply.Subject, Is.EqualTo("bob"));
        });
    }

    [Test]
    public async Task ScopedUserInfos_InjectedIntoService_IsTheCaller()
    {
        await using var host = await GrpcTestHost.StartAsync(_op, map: app => app.MapGrpcService<InjectedPlainService>());

        var reply = await new Plain.PlainClient(host.Channel).AdminAsync(new ProbeRequest(), Bearer(_bobToken));

        Assert.That($"{reply.Subject}:{reply.Text}", Is.EqualTo("bob:injected"));
    }

    [Test]
    public async Task AllowAnonymous_OnMethodOfProtectedService_LeftAloneEvenWhenRequiredByDefault()
    {
        await using var host = await GrpcTestHost.StartAsync(_op, services =>
        {
            services.AddGrpc().AddFlaat();
            services.Configure<Flaat.AspNetCore.FlaatEndpointOptions>(options => options.RequireAuthenticationByDefault = true);
        }, app => app.MapGrpcService<InjectedPlainService>());
        var client = new Plain.PlainClient(host.Channel);

        var open = await client.OpenAsync(new ProbeRequest());
        var admin = await StatusOfAsync(async () => await client.AdminAsync(new ProbeRequest()));

        Assert.Multiple(() =>
        {
            Assert.That(open.Text, Is.EqualTo("open"));
            Assert.That(admin, Is.EqualTo(StatusCode.Unauthenticated));
        });
    }

    [Test]
    public async Task PerServiceRegistration_ThatServiceIsJudged()
    {
        await using var host = await GrpcTestHost.StartAsync(_op,
            services => services.AddGrpc().AddFlaat<AnnotatedService>(),
            app => app.MapGrpcService<AnnotatedService>());

        var anonymous = await StatusOfAsync(async () => await new Annotated.AnnotatedClient(host.Channel).WhoAmIAsync(new ProbeRequest()));
        var reply = await new Annotated.AnnotatedClient(host.Channel).WhoAmIAsync(new ProbeRequest(), Bearer(_aliceToken));

        Assert.Multiple(() =>
        {
            Assert.That(anonymous, Is.EqualTo(StatusCode.Unauthenticated));
            Assert.That(reply.Subject, Is.EqualTo("alice"));
        });
    }

    [Test]
    public void FlaatMetadataWithoutInterceptor_FailsAtStartRatherThanLeavingTheMethodOpen()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await GrpcTestHost.StartAsync(_op,
                services => services.AddGrpc().AddFlaat<AnnotatedService>(),
                app =>
                {
                    app.MapGrpcService<AnnotatedService>();
                    app.MapGrpcService<PlainService>();
                }));

        Assert.Multiple(() =>
        {
            Assert.That(exception!.Message, Does.Contain("/flaat.test.Plain/Admin").And.Contain("AddFlaat()"));
            Assert.That(exception.Message, Does.Not.Contain("/flaat.test.Plain/Open"));
            Assert.That(exception.Message, Does.Not.Contain("Annotated"));
        });
    }

    [Test]
    public void UnknownAccessLevel_OnService_FailsAtStartNamingIt()
    {
        var exception = Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await GrpcTestHost.StartAsync(_op, map: app => app.MapGrpcService<MisconfiguredPlainService>()));

        Assert.That(exception!.Message, Does.Contain("no-such-level"));
    }

    [TestCase("Development", StatusCode.OK)]
    [TestCase("Production", StatusCode.Unauthenticated)]
    public async Task EnvironmentOverride_DisableAuthentication_HonouredOnlyInDevelopment(string environment, StatusCode expected)
    {
        await using var host = await GrpcTestHost.StartAsync(_op, services =>
        {
            services.AddGrpc().AddFlaat();
            services.Configure<Flaat.Evaluation.FlaatEvaluatorOptions>(options => options.EnvironmentReader =
                name => name == Flaat.Evaluation.FlaatEvaluator.DisableAuthenticationVariable ? "YES" : null);
        }, environment: environment);

        var status = await StatusOfAsync(async () => await new Annotated.AnnotatedClient(host.Channel).AdminAsync(new ProbeRequest()));

        Assert.That(status, Is.EqualTo(expected));
    }

    private static async Task<StatusCode> StatusOfAsync(Func<Task> call) =>
        (await RefusalOfAsync(call))?.StatusCode ?? StatusCode.OK;

    /// <summary>The call's refusal, or <see langword="null"/> when it succeeded (streams are completed, so a handler that wrongly ran cannot hang the test).</summary>
    private static async Task<RpcException?> RefusalOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (RpcException exception)
        {
            return exception;
        }
    }
}
