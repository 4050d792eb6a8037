using System.Collections.Concurrent;
using Flaat.AspNetCore;
using Flaat.Requirements;
using Flaat.Tests.Grpc.Proto;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Flaat.Tests.Grpc;

/// <summary>Counts handler runs by method name, so tests can prove a refused call never ran its handler.</summary>
internal sealed class HandlerCounter
{
    private readonly ConcurrentDictionary<string, int> _runs = new(StringComparer.Ordinal);

    public void Ran(ServerCallContext context) => _runs.AddOrUpdate(context.Method, 1, static (_, count) => count + 1);

    public int Runs(string method) => _runs.GetValueOrDefault(method);

    public void Reset() => _runs.Clear();
}

/// <summary>What the probe services answer: the caller Flaat found, or "anonymous".</summary>
internal static class Probe
{
    public const string AdminLevel = "admin";
    public const string NameHeader = "x-name";

    public static ProbeReply Reply(ServerCallContext context, string text = "") =>
        new() { Subject = context.GetUserInfos()?.Subject ?? "anonymous", Text = text };
}

/// <summary>A request requirement on the call: the <c>x-name</c> metadata entry must name the caller.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class NameIsCallerAttribute : Attribute, IFlaatMetadata
{
    public void Apply(FlaatPolicyBuilder builder) => builder.RequireGrpcCall(static (user, call) =>
        string.Equals(call.RequestHeaders.GetValue(Probe.NameHeader), user.Subject, StringComparison.Ordinal)
            ? new CheckResult(true, "The name is the caller's")
            : new CheckResult(false, $"The name is not {user.Subject}"));
}

/// <summary>A requirement whose check fails inside Flaat (a broken custom requirement): a 500.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class BrokenRequirementAttribute : Attribute, IFlaatMetadata
{
    public const string Message = "The requirement's data source is not configured";

    public void Apply(FlaatPolicyBuilder builder) => builder.Require(new Broken());

    private sealed class Broken : Requirement
    {
        public override CheckResult IsSatisfiedBy(UserInfos userInfos) => throw new FlaatException(Message);
    }
}

/// <summary>Protected per service; methods add to (or relax) the class's demand.</summary>
[FlaatAuthenticated]
internal sealed class AnnotatedService(HandlerCounter counter) : Annotated.AnnotatedBase
{
    public override Task<ProbeReply> WhoAmI(ProbeRequest request, ServerCallContext context)
    {
        counter.Ran(context);
        var user = context.GetUserInfos()!;
        return Task.FromResult(Probe.Reply(context, user.GetString("email") ?? ""));
    }

    [FlaatAccessLevel(Probe.AdminLevel)]
    public override Task<ProbeReply> Admin(ProbeRequest request, ServerCallContext context)
    {
        counter.Ran(context);
        return Task.FromResult(Probe.Reply(context, "admin"));
    }

    [FlaatOptional]
    public override Task<ProbeReply> Optional(ProbeRequest request, ServerCallContext context)
    {
        counter.Ran(context);
        return Task.FromResult(Probe.Reply(context));
    }

    [NameIsCaller]
    public override Task<ProbeReply> NameIsCaller(ProbeRequest request, ServerCallContext context)
    {
        counter.Ran(context);
        return Task.FromResult(Probe.Reply(context));
    }

    public override async Task ServerStream(ProbeRequest request, IServerStreamWriter<ProbeReply> responseStream, ServerCallContext context)
    {
        counter.Ran(context);
        for (var i = 0; i < 3; i++)
        {
            await responseStream.WriteAsync(Probe.Reply(context, $"{request.Name} {i}"));
        }
    }

    public override async Task<ProbeReply> ClientStream(IAsyncStreamReader<ProbeRequest> requestStream, ServerCallContext context)
    {
        counter.Ran(context);
        var names = new List<string>();
        await foreach (var request in requestStream.ReadAllAsync())
        {
            names.Add(request.Name);
        }

        return Probe.Reply(context, string.Join(",", names));
    }

    public override async Task Duplex(IAsyncStreamReader<ProbeRequest> requestStream, IServerStreamWriter<ProbeReply> responseStream, ServerCallContext context)
    {
        counter.Ran(context);
        await foreach (var request in requestStream.ReadAllAsync())
        {
            await responseStream.WriteAsync(Probe.Reply(context, request.Name));
        }
    }
}

/// <summary>No class metadata: only methods with their own metadata are protected.</summary>
internal sealed class PlainService(HandlerCounter counter) : Plain.PlainBase
{
    public override Task<ProbeReply> Open(ProbeRequest request, ServerCallContext context)
    {
        counter.Ran(context);
        return Task.FromResult(Probe.Reply(context, "open"));
    }

    [FlaatAccessLevel(Probe.AdminLevel)]
    public override Task<ProbeReply> Admin(ProbeRequest request, ServerCallContext context)
    {
        counter.Ran(context);
        return Task.FromResult(Probe.Reply(context, "admin"));
    }

    [BrokenRequirement]
    public override Task<ProbeReply> Broken(ProbeRequest request, ServerCallContext context)
    {
        counter.Ran(context);
        return Task.FromResult(Probe.Reply(context, "broken"));
    }
}

/// <summary>No attributes at all: protected by conventions on <c>MapGrpcService</c>.</summary>
internal sealed class ConventionService(HandlerCounter counter) : Convention.ConventionBase
{
    public override Task<ProbeReply> WhoAmI(ProbeRequest request, ServerCallContext context)
    {
        counter.Ran(context);
        return Task.FromResult(Probe.Reply(context, "convention"));
    }

    public override async Task Duplex(IAsyncStreamReader<ProbeRequest> requestStream, IServerStreamWriter<ProbeReply> responseStream, ServerCallContext context)
    {
        counter.Ran(context);
        await foreach (var request in requestStream.ReadAllAsync())
        {
            await responseStream.WriteAsync(Probe.Reply(context, request.Name));
        }
    }
}

/// <summary>A service naming an access level that is not defined: the application must not start.</summary>
[FlaatAccessLevel("no-such-level")]
internal sealed class MisconfiguredPlainService(HandlerCounter counter) : Plain.PlainBase
{
    public override Task<ProbeReply> Open(ProbeRequest request, ServerCallContext context)
    {
        counter.Ran(context);
        return Task.FromResult(Probe.Reply(context));
    }
}

/// <summary>
/// Takes the user by constructor injection: gRPC creates the service inside the interceptor
/// pipeline, after Flaat judged the call. <c>Open</c> is exempted with <c>[AllowAnonymous]</c>.
/// </summary>
[FlaatAuthenticated]
internal sealed class InjectedPlainService(IServiceProvider services) : Plain.PlainBase
{
    [Microsoft.AspNetCore.Authorization.AllowAnonymous]
    public override Task<ProbeReply> Open(ProbeRequest request, ServerCallContext context) =>
        Task.FromResult(Probe.Reply(context, "open"));

    public override Task<ProbeReply> Admin(ProbeRequest request, ServerCallContext context)
    {
        var user = services.GetRequiredService<UserInfos>();
        return Task.FromResult(new ProbeReply { Subject = user.Subject, Text = "injected" });
    }
}
