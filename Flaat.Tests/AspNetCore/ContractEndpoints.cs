using Flaat.AspNetCore;
using Flaat.Requirements;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flaat.Tests.AspNetCore;

/// <summary>What the contract's endpoints do, shared by every adapter's wiring.</summary>
internal static class ContractEndpoints
{
    public const string AdminLevel = "admin";

    public const string Email = "alice@example.org";

    public const string Vo = "urn:geant:example.org:group:vo1";

    public const string Audience = "api";

    public static Requirement EmailRequirement => Require.Claim(Email, "email");

    public static Requirement VoRequirement => Require.Vo(Vo);

    public static Requirement AudienceRequirement => Require.Audience(Audience);

    public static string WhoAmI(UserInfos user) => user.Subject;

    public static string Optional(UserInfos? user) => user?.Subject ?? "anonymous";

    /// <summary>The request requirement: the route value <c>name</c> must be the caller's subject.</summary>
    public static CheckResult NameIsCaller(UserInfos user, HttpContext context) =>
        string.Equals(context.GetRouteValue("name") as string, user.Subject, StringComparison.Ordinal)
            ? new CheckResult(true, "The name is the caller's")
            : new CheckResult(false, $"The name is not {user.Subject}");

    /// <summary>An on-failure hook that replaces Flaat's response with text naming the failure and the user.</summary>
    public static ValueTask<IResult?> ReplacingHook(FlaatFailureContext context) =>
        ValueTask.FromResult<IResult?>(Results.Text($"hook: {context.Error.StatusCode} {context.UserInfos?.Subject ?? "-"}", statusCode: context.Error.StatusCode));

    /// <summary>An on-failure hook that throws a Flaat exception, which is rendered instead.</summary>
    public static ValueTask<IResult?> ThrowingHook(FlaatFailureContext context) =>
        throw new FlaatForbiddenException($"Go away, {context.UserInfos?.Subject}");

    public sealed class Replacing : IFlaatFailureHandler
    {
        public ValueTask<IResult?> OnFailureAsync(FlaatFailureContext context) => ReplacingHook(context);
    }

    public sealed class Throwing : IFlaatFailureHandler
    {
        public ValueTask<IResult?> OnFailureAsync(FlaatFailureContext context) => ThrowingHook(context);
    }
}
