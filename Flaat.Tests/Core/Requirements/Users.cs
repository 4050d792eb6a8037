using System.Text.Json;

namespace Flaat.Tests.Core.Requirements;

/// <summary>User infos for requirement tests.</summary>
internal static class Users
{
    public static UserInfos WithUserInfo(string json) => new(null, JsonDocument.Parse(json).RootElement);

    public static UserInfos Alice(string extraClaims = "") =>
        WithUserInfo($$"""{"sub":"alice","iss":"https://op.example"{{(extraClaims.Length > 0 ? "," + extraClaims : "")}}}""");

    public static UserInfos Anonymous { get; } = WithUserInfo("{}");
}
