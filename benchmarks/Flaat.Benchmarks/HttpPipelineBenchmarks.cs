using BenchmarkDotNet.Attributes;
using Flaat.LoadServer;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Flaat.Benchmarks;

/// <summary>
/// The load server's endpoints through the whole ASP.NET Core pipeline (hosting, routing,
/// authentication, authorization, Flaat's gate, the handler), served in memory by a
/// <see cref="TestServer"/>: the per-request cost of each protection without sockets or wrk, and
/// what it allocates. The differences to <c>/none</c> are the protections' cost.
/// </summary>
public class HttpPipelineBenchmarks : IAsyncDisposable
{
    private LoadServerApp _server = null!;
    private TestServer _testServer = null!;
    private string _bearer = null!;
    private string _basic = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = LoadServerApp.StartAsync(inMemory: true).GetAwaiter().GetResult();
        _testServer = _server.App.GetTestServer();
        _bearer = "Bearer " + _server.Token;
        _basic = "Basic  " + _server.Token;
        foreach (var (path, header) in new[] { ("/none", _bearer), ("/flaat", _bearer), ("/jwt", _bearer), ("/none", _basic) })
        {
            var status = SendAsync(path, header).GetAwaiter().GetResult();
            Check.That(status == StatusCodes.Status200OK, $"{path} answered {status}");
        }
    }

    [Benchmark(Baseline = true, Description = "/none, bearer header")]
    public Task<int> None() => SendAsync("/none", _bearer);

    [Benchmark(Description = "/none, Basic header of the same length")]
    public Task<int> NoneBasic() => SendAsync("/none", _basic);

    [Benchmark(Description = "/flaat (.RequireFlaat with an AARC entitlement)")]
    public Task<int> Flaat() => SendAsync("/flaat", _bearer);

    [Benchmark(Description = "/jwt (JwtBearer)")]
    public Task<int> JwtBearer() => SendAsync("/jwt", _bearer);

    [GlobalCleanup]
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    private async Task<int> SendAsync(string path, string authorization)
    {
        var context = await _testServer.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = path;
            context.Request.Headers.Authorization = authorization;
        }).ConfigureAwait(false);
        return context.Response.StatusCode;
    }
}
