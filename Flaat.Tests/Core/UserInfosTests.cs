using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Flaat.Tests.Core;

public sealed class UserInfosTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    private static AccessTokenInfo Jwt(string body, string? alg = "RS256") =>
        new(Json("""{"alg":"RS256","typ":"JWT"}"""), Json(body), "c2ln", alg);

    [Test]
    public void TryGetClaim_PresentInAllSources_UserInfoWinsThenIntrospectionThenJwt()
    {
        var infos = new UserInfos(
            Jwt("""{"a":"jwt","b":"jwt","c":"jwt"}"""),
            Json("""{"a":"userinfo"}"""),
            Json("""{"a":"introspection","b":"introspection"}"""));

        Assert.Multiple(() =>
        {
            Assert.That(infos.GetString("a"), Is.EqualTo("userinfo"));
            Assert.That(infos.GetString("b"), Is.EqualTo("introspection"));
            Assert.That(infos.GetString("c"), Is.EqualTo("jwt"));
            Assert.That(infos.TryGetClaim("d", out _), Is.False);
            Assert.That(infos["d"], Is.Null);
        });
    }

    [Test]
    public void IssuerAndSubject_Absent_AreEmptyStrings()
    {
        var infos = new UserInfos(null, Json("{}"));

        Assert.Multiple(() =>
        {
            Assert.That(infos.Issuer, Is.Empty);
            Assert.That(infos.Subject, Is.Empty);
            Assert.That(infos.ToString(), Is.EqualTo("@"));
        });
    }

    [Test]
    public void ToString_IsSubAtIss()
    {
        var infos = new UserInfos(null, Json("""{"sub":"alice","iss":"https://op.example"}"""));

        Assert.That(infos.ToString(), Is.EqualTo("alice@https://op.example"));
    }

    [Test]
    public void TimeLeft_IntrospectionExpWinsOverJwtExp()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_000_000));
        var infos = new UserInfos(Jwt("""{"exp":1000600}"""), Json("{}"), Json("""{"exp":1000100}"""));

        Assert.That(infos.TimeLeft(time.GetUtcNow()), Is.EqualTo(TimeSpan.FromSeconds(100)));
        time.Advance(TimeSpan.FromSeconds(150));
        Assert.That(infos.TimeLeft(time.GetUtcNow()), Is.EqualTo(TimeSpan.FromSeconds(-50)));
    }

    [Test]
    public void TimeLeft_OnlyJwtExp_UsesIt()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_000_000));
        var infos = new UserInfos(Jwt("""{"exp":1000600}"""), Json("{}"), null);

        Assert.That(infos.TimeLeft(time.GetUtcNow()), Is.EqualTo(TimeSpan.FromMinutes(10)));
    }

    [Test]
    public void TimeLeft_NoExpiryOrGarbageExpiry_IsNull()
    {
        Assert.Multiple(() =>
        {
            Assert.That(new UserInfos(null, Json("""{"exp":1}""")).TimeLeft(DateTimeOffset.UnixEpoch), Is.Null, "userinfo exp is not an expiry");
            Assert.That(new UserInfos(Jwt("""{"exp":"soon"}"""), Json("{}")).TimeLeft(DateTimeOffset.UnixEpoch), Is.Null);
            Assert.That(new UserInfos(Jwt("""{"exp":1e300}"""), Json("{}")).TimeLeft(DateTimeOffset.UnixEpoch), Is.Null);
        });
    }

    [Test]
    public void GetStrings_ListScalarAndOtherKinds()
    {
        var infos = new UserInfos(null, Json("""{"l":["a",1,"b"],"s":"x","n":5}"""));

        Assert.Multiple(() =>
        {
            Assert.That(infos.GetStrings("l"), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(infos.GetStrings("s"), Is.EqualTo(new[] { "x" }));
            Assert.That(infos.GetStrings("n"), Is.Empty);
            Assert.That(infos.GetStrings("missing"), Is.Empty);
        });
    }

    [Test]
    public void ToJson_OpaqueToken_HasNullAccessTokenInfoAndSortedKeys()
    {
        var infos = new UserInfos(null, Json("""{"z":1,"a":{"y":2,"b":3}}"""));

        var json = infos.ToJson();

        Assert.That(json, Is.EqualTo("""
            {
                "access_token_info": null,
                "introspection_info": null,
                "user_info": {
                    "a": {
                        "b": 3,
                        "y": 2
                    },
                    "z": 1
                }
            }
            """.ReplaceLineEndings("\n")));
    }

    [Test]
    public void ToJson_Jwt_RendersHeaderBodySignatureAndVerification()
    {
        var infos = new UserInfos(Jwt("""{"sub":"s"}"""), Json("{}"), Json("""{"active":true}"""));

        using var doc = JsonDocument.Parse(infos.ToJson());
        var ati = doc.RootElement.GetProperty("access_token_info");

        Assert.Multiple(() =>
        {
            Assert.That(ati.GetProperty("header").GetProperty("alg").GetString(), Is.EqualTo("RS256"));
            Assert.That(ati.GetProperty("body").GetProperty("sub").GetString(), Is.EqualTo("s"));
            Assert.That(ati.GetProperty("signature").GetString(), Is.EqualTo("c2ln"));
            Assert.That(ati.GetProperty("verification").GetProperty("algorithm").GetString(), Is.EqualTo("RS256"));
            Assert.That(doc.RootElement.GetProperty("introspection_info").GetProperty("active").GetBoolean(), Is.True);
        });
    }

    [Test]
    public void ToJson_UnverifiedJwt_HasNullVerification()
    {
        var infos = new UserInfos(Jwt("{}", alg: null), Json("{}"));

        using var doc = JsonDocument.Parse(infos.ToJson());

        Assert.That(doc.RootElement.GetProperty("access_token_info").GetProperty("verification").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public void Constructor_NonObjectUserInfo_Throws()
    {
        Assert.That(() => new UserInfos(null, Json("[1]")), Throws.ArgumentException);
    }
}
