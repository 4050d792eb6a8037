using System.Text.Json;

namespace Flaat.Tests.AspNetCore;

/// <summary>
/// A hand-written engine at the <see cref="IFlaatAuthenticator"/> seam: tokens name their user
/// (<c>user.alice</c>: a b64token, as every token must be); a few tokens stand for engine failures.
/// </summary>
internal sealed class FakeAuthenticator : IFlaatAuthenticator
{
    public const string Issuer = "https://op.test";

    private readonly Dictionary<string, UserInfos> _users = new(StringComparer.Ordinal);

    public FakeAuthenticator()
    {
        AddUser("alice", """{"groups":["admins","users"],"email":"alice@example.org","eduperson_entitlement":["urn:geant:example.org:group:vo1:sub#op.test"],"aud":["api"],"score":7,"verified":true,"address":{"country":"NL"}}""");
        AddUser("bob", """{"groups":["users"],"email":"bob@example.org","aud":"other"}""");
    }

    /// <summary>Whether the OP is unreachable (every token then fails with 503).</summary>
    public bool IsDown { get; set; }

    /// <summary>How many times the engine was asked.</summary>
    public int Calls;

    public static UserInfos User(string sub, string claimsJson = "{}")
    {
        using var claims = JsonDocument.Parse(claimsJson);
        var merged = new Dictionary<string, JsonElement>(StringComparer.Ordinal) { ["sub"] = Json($"\"{sub}\""), ["iss"] = Json($"\"{Issuer}\"") };
        foreach (var property in claims.RootElement.EnumerateObject())
        {
            merged[property.Name] = property.Value.Clone();
        }

        return new UserInfos(null, JsonSerializer.SerializeToElement(merged));
    }

    /// <summary>A user whose claims are in their JWT access token's body (as profile claims must be); userinfo holds sub and iss.</summary>
    public static UserInfos TokenUser(string sub, string claimsJson = "{}")
    {
        var user = User(sub, claimsJson);
        var header = JsonDocument.Parse("""{"alg":"RS256","typ":"at+jwt"}""").RootElement;
        var body = JsonSerializer.SerializeToElement(user.UserInfo);
        return new UserInfos(new AccessTokenInfo(header, body, "sig", "RS256"), JsonSerializer.SerializeToElement(User(sub).UserInfo));
    }

    public ValueTask<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref Calls);
        cancellationToken.ThrowIfCancellationRequested();
        if (IsDown)
        {
            return ValueTask.FromResult(AuthenticationResult.Failure(FlaatError.Unavailable("The identity provider could not be reached", TimeSpan.FromSeconds(30))));
        }

        var result = request.AccessToken switch
        {
            "expired" => AuthenticationResult.Failure(FlaatError.Unauthenticated("Token has expired")),
            "untrusted" => AuthenticationResult.Failure(FlaatError.Unauthenticated("Issuer is not trusted: https://evil.test")),
            _ when request.AccessToken.StartsWith("user.", StringComparison.Ordinal)
                   && _users.TryGetValue(request.AccessToken[5..], out var user) => AuthenticationResult.Success(user),
            _ => AuthenticationResult.Failure(FlaatError.Unauthenticated("User identity could not be determined")),
        };
        return ValueTask.FromResult(result);
    }

    private void AddUser(string sub, string claimsJson) => _users[sub] = User(sub, claimsJson);

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
