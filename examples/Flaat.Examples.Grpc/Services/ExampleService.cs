using Flaat.AspNetCore;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Flaat.Examples.Grpc.Services;

/// <summary>The example service: every method needs an authenticated caller, some more.</summary>
[FlaatAuthenticated]
public sealed class ExampleService : Example.ExampleBase
{
    public override Task<Reply> Info(Empty request, ServerCallContext context) =>
        Task.FromResult(new Reply { Message = context.GetUserInfos()!.ToJson() });

    public override Task<Reply> Authenticated(Empty request, ServerCallContext context) =>
        Task.FromResult(new Reply { Message = $"This worked: there was a valid login for {context.GetUserInfos()}" });

    [FlaatAccessLevel("admin")]
    public override Task<Reply> AuthorizedLevel(Empty request, ServerCallContext context) =>
        Task.FromResult(new Reply { Message = $"This worked: {context.GetUserInfos()} has access level 'admin'" });

    // Configuration-made requirement: registered as the access level "required_vos" in Program.cs.
    [FlaatAccessLevel("required_vos")]
    public override Task<Reply> AuthorizedVo(Empty request, ServerCallContext context) =>
        Task.FromResult(new Reply { Message = $"This worked: {context.GetUserInfos()} is in the required VOs" });
}
