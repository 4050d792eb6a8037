using System.Text.Json;
using CsCheck;
using Flaat.Issuers;

namespace Flaat.Tests.Core.Issuers;

/// <summary>
/// Property-based tests of the discovery document reader on 100 000+ hostile documents: it never
/// throws, answers either a configuration or a problem, and never yields an endpoint a token must not
/// be sent to.
/// </summary>
public sealed class IssuerConfigurationPropertyTests
{
    private static readonly Gen<string> Documents = Gen.Frequency(
        (8, HostileJson.Object(
            ("issuer", HostileJson.Value),
            ("userinfo_endpoint", HostileJson.Value),
            ("introspection_endpoint", HostileJson.Value),
            ("jwks_uri", HostileJson.Value))),
        (1, HostileJson.Value));

    [Test]
    public void TryRead_HostileDocuments_AnswersAConfigurationOrAProblemAndOnlySafeEndpoints([Values] bool allowInsecureHttp)
    {
        Documents.Sample(json =>
        {
            using var document = JsonDocument.Parse(json);

            var configuration = IssuerConfiguration.TryRead(document.RootElement, allowInsecureHttp, out var problem);

            Assert.That(configuration is null, Is.EqualTo(problem is not null), json);
            if (configuration is null)
            {
                return;
            }

            Assert.That(configuration.Issuer, Is.Not.Empty, json);
            foreach (var endpoint in new[] { configuration.UserInfoEndpoint, configuration.IntrospectionEndpoint, configuration.JwksUri })
            {
                if (endpoint is null)
                {
                    continue;
                }

                Assert.That(endpoint.IsAbsoluteUri, Is.True, json);
                Assert.That(
                    endpoint.Scheme == Uri.UriSchemeHttps || (endpoint.Scheme == Uri.UriSchemeHttp && (allowInsecureHttp || endpoint.IsLoopback)),
                    Is.True,
                    json);
            }
        }, iter: 100_000);
    }
}
