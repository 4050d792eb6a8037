using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Flaat.Testing;
using Flaat.Tests.Docs;

namespace Flaat.Tests.Examples;

/// <summary>
/// The minimal-API example published with Native AOT (<c>-p:PublishAot=true</c>): the native binary
/// passes the example's route checks against a fake OP. The binary is published into the example's
/// <c>bin/aot</c> when it is missing or older than the example's build (minutes: ILC compiles the whole
/// application); the embedded demo OP (WireMock.Net) does not run under AOT, so the OP is configured
/// through the environment, as in production.
/// </summary>
[NonParallelizable]
public sealed class ExampleAotTests
{
    private const string Project = "Flaat.Examples.MinimalApi";

    private FakeOpenIdProvider _op = null!;
    private AppProcess _example = null!;
    private HttpClient _client = null!;
    private string _admin = null!;
    private string _user = null!;

    [OneTimeSetUp]
    public async Task PublishAndStart()
    {
        var binary = await PublishedBinaryAsync();
        _op = FakeOpenIdProvider.Start();
        _admin = _op.CreateJwt(new FakeUser("demo-admin")
            .WithClaim("email", "admin@example.org")
            .WithClaim("groups", new[] { "admins", "users" })
            .WithClaim("eduperson_entitlement", new[] { "urn:geant:example.org:group:demo:admins#aai.example.org" }));
        _user = _op.CreateJwt(new FakeUser("demo-user")
            .WithClaim("email", "user@example.org")
            .WithClaim("groups", new[] { "users" })
            .WithClaim("eduperson_entitlement", new[] { "urn:geant:example.org:group:other#aai.example.org" }));
        _example = await AppProcess.StartAsync(binary, TimeSpan.FromSeconds(60), new Dictionary<string, string>
        {
            ["Flaat__TrustedIssuers__0"] = _op.Issuer,
            // The fake OP answers from this test process, whose first answers (key generation, JIT) can
            // take longer than the default 1.2 s on a busy machine; that would be an honest 503.
            ["Flaat__RequestTimeout"] = "00:00:15",
        });
        _client = new HttpClient { BaseAddress = new Uri(_example.BaseUrl), Timeout = TimeSpan.FromSeconds(20) };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client?.Dispose();
        if (_example is not null)
        {
            await _example.DisposeAsync();
        }

        if (_op is not null)
        {
            await _op.DisposeAsync();
        }
    }

    [TestCase("/authorized_level")]
    [TestCase("/authorized_vo")]
    [TestCase("/authorized_claim")]
    public async Task NativeExample_ProtectedRoute_AdminAllowedUserForbidden(string path)
    {
        var admin = await GetAsync(path, _admin);
        var user = await GetAsync(path, _user);

        Assert.Multiple(() =>
        {
            Assert.That(admin, Is.EqualTo(HttpStatusCode.OK), _example.Output);
            Assert.That(user, Is.EqualTo(HttpStatusCode.Forbidden), _example.Output);
        });
    }

    [Test]
    public async Task NativeExample_Info_401WithoutToken200WithToken()
    {
        Assert.Multiple(async () =>
        {
            Assert.That(await GetAsync("/info", null), Is.EqualTo(HttpStatusCode.Unauthorized), _example.Output);
            Assert.That(await GetAsync("/info", _user), Is.EqualTo(HttpStatusCode.OK), _example.Output);
            Assert.That(await GetAsync("/info", "not-a-token"), Is.EqualTo(HttpStatusCode.Unauthorized), _example.Output);
        });
    }

    private async Task<HttpStatusCode> GetAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<string> PublishedBinaryAsync()
    {
        var build = ExampleProcess.ExampleDll(Project);
        var projectDirectory = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(build))))!;
        var output = Path.Combine(projectDirectory, "bin", "aot");
        var binary = Path.Combine(output, Project);
        if (File.Exists(binary) && File.GetLastWriteTimeUtc(binary) >= File.GetLastWriteTimeUtc(build))
        {
            return binary;
        }

        var clock = Stopwatch.StartNew();
        var (exit, log) = await ReadmeSampleTests.RunAsync(projectDirectory, "publish", "-c", "Release", "-p:PublishAot=true",
            "-p:TreatWarningsAsErrors=false", "-o", output, "-nologo", "-clp:NoSummary");
        Assert.That(exit, Is.EqualTo(0), () => $"AOT publish failed after {clock.Elapsed}:\n{log}");
        // A warning's subject comes before the project in brackets; Flaat.Testing (WireMock.Net) is the example's demo OP.
        var flaatWarnings = log.Split('\n')
            .Where(line => line.Contains(" warning IL", StringComparison.Ordinal))
            .Select(line => line.Split(" [", 2)[0])
            .Where(subject => new[] { "Flaat.Core", "Flaat.AspNetCore", "Flaat.MinimalApi", "Flaat.Grpc" }.Any(name => subject.Contains(name, StringComparison.Ordinal)))
            .ToList();
        Assert.That(flaatWarnings, Is.Empty, "Flaat's libraries publish without trim or AOT warnings");
        return binary;
    }
}
