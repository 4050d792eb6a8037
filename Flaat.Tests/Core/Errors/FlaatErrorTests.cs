using System.Text.Json;
using System.Text.Json.Nodes;
using Flaat.Requirements;

namespace Flaat.Tests.Core.Errors;

public sealed class FlaatErrorTests
{
    private static JsonNode Body(FlaatError error) => JsonNode.Parse(error.ToJson())!;

    private static string Normalised(string json) => JsonNode.Parse(json)!.ToJsonString();

    [Test]
    public void ToJson_FlaatException_IsError500()
    {
        var error = new FlaatException("Something broke").ToError();

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(500));
            Assert.That(error.ToJson(), Is.EqualTo("""{"error":"Error","error_description":"Something broke"}"""));
        });
    }

    [Test]
    public void ToJson_Unauthenticated_Is401()
    {
        var error = new FlaatUnauthenticatedException("No access token").ToError();

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(401));
            Assert.That(error.ToJson(), Is.EqualTo("""{"error":"Unauthenticated","error_description":"No access token"}"""));
        });
    }

    [Test]
    public void ToJson_UnauthenticatedDefault_IsFlaatsMessage()
    {
        var error = new FlaatUnauthenticatedException().ToError();

        Assert.That(error.ToJson(), Is.EqualTo("""{"error":"Unauthenticated","error_description":"User identity could not be determined"}"""));
    }

    [Test]
    public void ToJson_ForbiddenWithRenderedCheck_HasErrorDetails()
    {
        var user = new UserInfos(null, JsonDocument.Parse("""{"sub":"alice","iss":"https://op.example","groups":["users"]}""").RootElement);
        var check = (Require.Claim(["admins", "ops"], "groups", Match.One) & new HasSubIss()).IsSatisfiedBy(user);

        var error = new FlaatForbiddenException($"User {user} does not meet requirements", check.Render()).ToError();

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(403));
            Assert.That(error.ToJson(), Is.EqualTo(Normalised("""
                {"error":"Forbidden","error_description":"User alice@https://op.example does not meet requirements",
                 "error_details":{"check":"AllOf: Unsatisfied sub-requirements","check_details":[
                   {"check":"Only 0 of 1 sub-requirements were satisfied","check_details":[
                     "User has no claim 'groups' with value: 'admins'","User has no claim 'groups' with value: 'ops'"]}]}}
                """)));
        });
    }

    [Test]
    public void ToJson_ForbiddenWithStringDetails_DetailsIsTheString()
    {
        var error = FlaatError.Forbidden("User a@b does not meet requirements", new Unsatisfiable().IsSatisfiedBy(new UserInfos(null, JsonDocument.Parse("{}").RootElement)).Render());

        Assert.That(Body(error)["error_details"]!.GetValue<string>(), Is.EqualTo("Requirement is unsatisfiable"));
    }

    [Test]
    public void ToJson_RequestRequirementFailures_DetailsIsAList()
    {
        var error = FlaatError.Forbidden("Request from user a@b does not meet requirements", new JsonArray("first", new CheckResult(false, "x", [new CheckResult(false, "y")]).Render()));

        Assert.That(error.ToJson(), Is.EqualTo(Normalised("""
            {"error":"Forbidden","error_description":"Request from user a@b does not meet requirements",
             "error_details":["first",{"check":"x","check_details":["y"]}]}
            """)));
    }

    [Test]
    public void ToJson_Unavailable_Is503WithRetryAfterKeptOutOfTheBody()
    {
        var exception = new FlaatUnavailableException("The identity provider https://op.example could not be reached", TimeSpan.FromSeconds(15));

        var error = exception.ToError();

        Assert.Multiple(() =>
        {
            Assert.That(error.StatusCode, Is.EqualTo(503));
            Assert.That(error.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(15)));
            Assert.That(error.ToJson(), Is.EqualTo("""{"error":"Unavailable","error_description":"The identity provider https://op.example could not be reached"}"""));
        });
    }

    [Test]
    public void ToJson_TextNeedingEscapes_IsValidJsonWithTheSameText()
    {
        const string description = "Issuer is not trusted: \"<x>\"\n\u0001 é";

        var body = Body(FlaatError.Unauthenticated(description));

        Assert.That(body["error_description"]!.GetValue<string>(), Is.EqualTo(description));
    }

    [TestCase(401, typeof(FlaatUnauthenticatedException))]
    [TestCase(403, typeof(FlaatForbiddenException))]
    [TestCase(500, typeof(FlaatException))]
    [TestCase(503, typeof(FlaatUnavailableException))]
    public void ToException_RoundTrip_KeepsStatusNameDescriptionAndDetails(int status, Type expectedType)
    {
        var error = status switch
        {
            401 => FlaatError.Unauthenticated("d", JsonValue.Create("x")),
            403 => FlaatError.Forbidden("d", JsonValue.Create("x")),
            503 => FlaatError.Unavailable("d", TimeSpan.FromSeconds(3)),
            _ => FlaatError.Internal("d", JsonValue.Create("x")),
        };

        var exception = error.ToException();
        var back = exception.ToError();

        Assert.Multiple(() =>
        {
            Assert.That(exception, Is.TypeOf(expectedType));
            Assert.That(exception.StatusCode, Is.EqualTo(status));
            Assert.That(back.ToJson(), Is.EqualTo(error.ToJson()));
            Assert.That(back.RetryAfter, Is.EqualTo(error.RetryAfter));
        });
    }

    [Test]
    public void WriteTo_WritesTheSameBodyAsToJson()
    {
        var error = FlaatError.Forbidden("no", JsonValue.Create("because"));
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            error.WriteTo(writer);
        }

        Assert.That(System.Text.Encoding.UTF8.GetString(stream.ToArray()), Is.EqualTo(error.ToJson()));
    }

    [Test]
    public void ToString_HasStatusNameAndDescription()
    {
        Assert.That(FlaatError.Forbidden("no").ToString(), Is.EqualTo("403 Forbidden: no"));
    }

    [TestCase("")]
    [TestCase("invalid\"token")]
    [TestCase("invalid\\token")]
    [TestCase("invalid_t\u00f6ken")]
    [TestCase("invalid\ntoken")]
    public void ChallengeError_NotQuotable_Throws(string code)
    {
        Assert.Throws<ArgumentException>(() => _ = new FlaatError(401, "Unauthenticated", "x") { ChallengeError = code });
    }

    [Test]
    public void ChallengeError_Default_IsNull()
    {
        Assert.That(FlaatError.Unauthenticated("x").ChallengeError, Is.Null);
    }
}
