using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Flaat.Tests.Examples;

/// <summary>
/// Runs a built example as a user would (its own process, a free loopback port): with no OP
/// configured it reads the demo tokens and URL it prints; with settings that name an OP (a fleet's
/// replica) it reads the URL it listens on.
/// </summary>
internal sealed partial class ExampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ExampleProcess(Process process) => _process = process;

    public string BaseUrl { get; private set; } = string.Empty;

    public string AdminToken { get; private set; } = string.Empty;

    public string UserToken { get; private set; } = string.Empty;

    public string AdminOpaqueToken { get; private set; } = string.Empty;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string ExampleDll(string project) =>
        Path.Combine(RepositoryRoot(), "examples", project, "bin", BuildConfiguration(), "net10.0", project + ".dll");

    /// <param name="project">The example's project name.</param>
    /// <param name="timeout">How long it may take to start.</param>
    /// <param name="environment">Settings as environment variables (e.g. <c>Flaat__TrustedIssuers__0</c>); none: the demo OP.</param>
    public static async Task<ExampleProcess> StartAsync(string project, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var demo = environment?.ContainsKey("Flaat__TrustedIssuers__0") != true;
        var dll = ExampleDll(project);
        Assert.That(File.Exists(dll), Is.True, $"The example is not built: {dll}");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Flaat__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var example = new ExampleProcess(Process.Start(info)!);
        example._process.OutputDataReceived += (_, e) => example.Append(e.Data);
        example._process.ErrorDataReceived += (_, e) => example.Append(e.Data);
        example._process.BeginOutputReadLine();
        example._process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var text = example.Output;
            if (!demo && ListeningUrl().Match(text) is { Success: true } listening)
            {
                example.BaseUrl = listening.Groups[1].Value;
                return example;
            }

            var url = CurlUrl().Match(text);
            if (demo && url.Success)
            {
                example.BaseUrl = url.Groups[1].Success ? url.Groups[1].Value : url.Groups[2].Value;
                example.AdminToken = Quoted(text, "ADMIN_TOKEN");
                example.UserToken = Quoted(text, "USER_TOKEN");
                example.AdminOpaqueToken = Quoted(text, "ADMIN_OPAQUE_TOKEN");
                return example;
            }

            if (example._process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        var output = example.Output;
        await example.DisposeAsync();
        throw new AssertionException($"{project} printed no {(demo ? "curl commands" : "listening URL")} within {timeout}:\n{output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static string Quoted(string text, string name)
    {
        var match = Regex.Match(text, $@"\b{name}='([^']+)'");
        Assert.That(match.Success, Is.True, $"{name} was not printed:\n{text}");
        return match.Groups[1].Value;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Flaat.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Flaat.sln not found above " + AppContext.BaseDirectory);
    }

    // The tests run from bin/<Configuration>/net10.0; the examples are built alike.
    private static string BuildConfiguration() => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    // The HTTP examples print curl commands, the gRPC one client commands with --address.
    [GeneratedRegex(@"(?:curl -i -H ""Authorization: Bearer \$ADMIN_TOKEN"" (http://[^/\s]+)/|--address (http://\S+))")]
    private static partial Regex CurlUrl();

    // ASP.NET Core's start-up line (Microsoft.Hosting.Lifetime).
    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningUrl();
}
