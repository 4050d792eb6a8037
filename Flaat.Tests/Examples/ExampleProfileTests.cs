using System.Net;
using System.Net.Http.Headers;

namespace Flaat.Tests.Examples;

/// <summary>
/// The minimal-API example's research-profile routes, as a newcomer tries them with the embedded
/// demo OP's tokens: the demo admin's JWT carries WLCG storage capabilities and a REFEDS assurance
/// profile (200), the demo user's does not (403).
/// </summary>
[NonParallelizable]
public sealed class ExampleProfileTests
{
    private ExampleProcess _example = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartExample()
    {
        _example = await ExampleProcess.StartAsync("Flaat.Examples.MinimalApi", TimeSpan.FromSeconds(60));
        _client = new HttpClient { BaseAddress = new Uri(_example.BaseUrl), Timeout = TimeSpan.FromSeconds(20) };
    }

    [OneTimeTearDown]
    public async Task StopExample()
    {
        _client?.Dispose();
        if (_example is not null)
        {
            await _example.DisposeAsync();
        }
    }

    [TestCase("/wlcg/read/demo/data.txt")]
    [TestCase("/assurance")]
    public async Task ProfileRoute_AdminAllowedUserForbidden(string path)
    {
        var admin = await GetAsync(path, _example.AdminToken);
        var user = await GetAsync(path, _example.UserToken);

        Assert.Multiple(() =>
        {
            Assert.That(admin.Status, Is.EqualTo(HttpStatusCode.OK), admin.Body);
            Assert.That(user.Status, Is.EqualTo(HttpStatusCode.Forbidden), user.Body);
        });
    }

    [TestCase("/wlcg/read/other/data.txt")]
    [TestCase("/wlcg/read/demo%2F..%2Fother")]
    [TestCase("/wlcg/read/demonstration")]
    public async Task WlcgRead_PathOutsideTheAdminsCapability_Forbidden(string path)
    {
        var admin = await GetAsync(path, _example.AdminToken);

        Assert.That(admin.Status, Is.EqualTo(HttpStatusCode.Forbidden), admin.Body);
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
