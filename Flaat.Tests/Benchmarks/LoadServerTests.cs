using System.Net;
using System.Net.Http.Headers;
using Flaat.LoadServer;

namespace Flaat.Tests.Benchmarks;

/// <summary>The load-test server of benchmarks/load: every endpoint serves the same answer, and the protected ones only with the token.</summary>
public sealed class LoadServerTests
{
    [Test]
    public async Task StartAsync_Endpoints_ServeTheHandlerWithTheTokenAndProtectedOnesRefuseWithout()
    {
        // Arrange
        await using var server = await LoadServerApp.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };

        // Act
        var withToken = new Dictionary<string, (HttpStatusCode, string)>();
        var withoutToken = new Dictionary<string, HttpStatusCode>();
        foreach (var path in new[] { "/none", "/flaat", "/jwt" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.Token);
            using var response = await client.SendAsync(request);
            withToken[path] = (response.StatusCode, await response.Content.ReadAsStringAsync());
            using var anonymous = await client.GetAsync(path);
            withoutToken[path] = anonymous.StatusCode;
        }

        // Assert
        Assert.Multiple(() =>
        {
            Assert.That(withToken.Values, Is.All.EqualTo((HttpStatusCode.OK, "hello")));
            Assert.That(withoutToken["/none"], Is.EqualTo(HttpStatusCode.OK));
            Assert.That(withoutToken["/flaat"], Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(withoutToken["/jwt"], Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }
}
