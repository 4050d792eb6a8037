using System.Diagnostics;

namespace Flaat.Tests.Examples;

/// <summary>
/// The gRPC example as a newcomer runs it: the server on its embedded demo OP, and the example's
/// own client command (token in ACCESS_TOKEN) calling it.
/// </summary>
[NonParallelizable]
public sealed class ExampleGrpcTests
{
    private const string Project = "Flaat.Examples.Grpc";
    private ExampleProcess _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await ExampleProcess.StartAsync(Project, TimeSpan.FromSeconds(60));

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [TestCase("AuthorizedLevel")]
    [TestCase("AuthorizedVo")]
    public async Task Call_AdminAllowedUserDenied(string method)
    {
        var admin = await CallAsync(method, _server.AdminToken);
        var user = await CallAsync(method, _server.UserToken);

        Assert.Multiple(() =>
        {
            Assert.That(admin.ExitCode, Is.Zero, admin.Output);
            Assert.That(admin.Output, Does.StartWith("This worked"));
            Assert.That(user.ExitCode, Is.EqualTo(1), user.Output);
            Assert.That(user.Output, Does.StartWith("PermissionDenied: "));
            Assert.That(user.Output, Does.Contain("\"error_details\""), "the flaat-error-bin trailer carries the body");
        });
    }

    [Test]
    public async Task Call_Info_ReturnsUserInfosJson()
    {
        var result = await CallAsync("Info", _server.AdminToken);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Zero, result.Output);
            Assert.That(result.Output, Does.Contain("\"user_info\"").And.Contain("demo-admin"));
        });
    }

    [Test]
    public async Task Call_NoToken_Unauthenticated()
    {
        var result = await CallAsync("Authenticated", token: null);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(1));
            Assert.That(result.Output, Does.StartWith("Unauthenticated: No authorization header"));
        });
    }

    [Test]
    public async Task Healthz_OverHttp2_HealthyWithoutAToken()
    {
        // The server speaks HTTP/2 only (gRPC without TLS): prior knowledge, as curl --http2-prior-knowledge.
        using var client = new HttpClient
        {
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(20),
        };

        using var response = await client.GetAsync(new Uri(new Uri(_server.BaseUrl), "/healthz"));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
        });
    }

    private async Task<(int ExitCode, string Output)> CallAsync(string method, string? token)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { ExampleProcess.ExampleDll(Project), "call", method, "--address", _server.BaseUrl })
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("ACCESS_TOKEN");
        if (token is not null)
        {
            info.Environment["ACCESS_TOKEN"] = token;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, (await output).Trim() + (await error));
    }
}
