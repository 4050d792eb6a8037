using System.Text.Json;
using Flaat.Issuers;

namespace Flaat.Tests.Core.Issuers;

public sealed class IssuerConfigurationTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    [Test]
    public void TryRead_HttpsEndpoints_Read()
    {
        var configuration = IssuerConfiguration.TryRead(
            Json("""{"issuer":"https://op.example","userinfo_endpoint":"https://op.example/ui","jwks_uri":"https://op.example/keys"}"""),
            allowInsecureHttp: false,
            out var problem);

        Assert.That(problem, Is.Null);
        Assert.That(configuration!.UserInfoEndpoint, Is.EqualTo(new Uri("https://op.example/ui")));
        Assert.That(configuration.IntrospectionEndpoint, Is.Null);
    }

    [Test]
    public void TryRead_PlainHttpEndpointOnRemoteHost_RefusedUnlessAllowed()
    {
        var document = Json("""{"issuer":"https://op.example","userinfo_endpoint":"http://op.example/ui"}""");

        var refused = IssuerConfiguration.TryRead(document, allowInsecureHttp: false, out var problem);
        var allowed = IssuerConfiguration.TryRead(document, allowInsecureHttp: true, out _);

        Assert.That(refused, Is.Null);
        Assert.That(problem, Does.Contain("http userinfo_endpoint"));
        Assert.That(allowed, Is.Not.Null);
    }

    [Test]
    public void TryRead_NoIssuer_Refused()
    {
        Assert.That(IssuerConfiguration.TryRead(Json("""{"userinfo_endpoint":"https://op.example/ui"}"""), false, out var problem), Is.Null);
        Assert.That(problem, Is.EqualTo("names no issuer"));
    }

    [TestCase("""{"issuer":"\udc00\ud800"}""", "names no issuer")]
    [TestCase("""{"issuer":"https://op.example","jwks_uri":"https://op.example/\ud800"}""", "has an invalid jwks_uri")]
    [TestCase("""["https://op.example"]""", "is not a JSON object")]
    public void TryRead_JsonThatIsNoDocumentOrNoText_IsAProblemNotAnException(string json, string expected)
    {
        // Escapes of lone surrogates are valid JSON, but reading them as a string throws.
        var configuration = IssuerConfiguration.TryRead(Json(json), allowInsecureHttp: false, out var problem);

        Assert.That(configuration, Is.Null);
        Assert.That(problem, Is.EqualTo(expected));
    }
}
