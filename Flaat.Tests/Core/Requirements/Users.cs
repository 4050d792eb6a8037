using System.Text.Json;

namespace Flaat.Tests.Core.Requirements;

/// <summary>User infos for requirement tests.</summary>
internal static class Users
{
    public static UserInfos WithUserInfo(string json) => new(null, JsonDocument.Parse(json).RootElement);

    public static UserInfos Alice(string extraClaims = "") =>
        WithUserInfo($$"""{"sub":"alice","iss":"https://op.example"{{(extraClaims.Length > 0 ? "," + extraClaims : "")}}}""");

    /// <summary>A user whose claims (a JSON object) are all in the JWT access token's body; userinfo is empty.</summary>
    public static UserInfos WithToken(string json) =>
        new(new AccessTokenInfo(JsonDocument.Parse("""{"alg":"RS256"}""").RootElement, JsonDocument.Parse(json).RootElement, "sig", "RS256"), JsonDocument.Parse("{}").RootElement);

    /// <summary>Alice with the claims in her JWT access token's body (userinfo holds only sub and iss).</summary>
    public static UserInfos AliceToken(string extraClaims = "", string userInfo = "")
    {
        var body = $$"""{"sub":"alice","iss":"https://op.example"{{(extraClaims.Length > 0 ? "," + extraClaims : "")}}}""";
        var info = $$"""{"sub":"alice","iss":"https://op.example"{{(userInfo.Length > 0 ? "," + userInfo : "")}}}""";
        var token = new AccessTokenInfo(JsonDocument.Parse("""{"alg":"RS256","typ":"at+jwt"}""").RootElement, JsonDocument.Parse(body).RootElement, "sig", "RS256");
        return new UserInfos(token, JsonDocument.Parse(info).RootElement);
    }

    public static UserInfos Anonymous { get; } = WithUserInfo("{}");
}
