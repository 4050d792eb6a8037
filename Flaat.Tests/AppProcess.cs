using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Flaat.Tests;

/// <summary>
/// An ASP.NET Core application started as its user would (its own process, a free loopback port):
/// a <c>dotnet</c> DLL or a native executable; ready once its output matches what the caller waits
/// for (by default ASP.NET Core's "Now listening on" line). Shared by the README samples, the
/// examples and the Native AOT test.
/// </summary>
internal sealed partial class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private AppProcess(Process process) => _process = process;

    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>Time from the process start until it was ready.</summary>
    public TimeSpan StartTime { get; private set; }

    public int ProcessId => _process.Id;

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

    /// <summary>Starts <paramref name="path"/>: with <c>dotnet</c> when it is a DLL, else as an executable.</summary>
    /// <param name="path">The DLL or executable.</param>
    /// <param name="timeout">How long it may take to be ready.</param>
    /// <param name="environment">Settings as environment variables; the caller's <c>Flaat__</c> and <c>ASPNETCORE_</c> ones are removed.</param>
    /// <param name="ready">Reads the output so far: the base URL once ready, else <see langword="null"/>; by default the listening address.</param>
    /// <param name="waitingFor">What <paramref name="ready"/> waits for, for the failure message.</param>
    public static async Task<AppProcess> StartAsync(
        string path,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null,
        Func<string, string?>? ready = null,
        string waitingFor = "a listening address")
    {
        ready ??= ListeningUrl;
        Assert.That(File.Exists(path), Is.True, $"not built: {path}");
        var dll = path.EndsWith(".dll", StringComparison.Ordinal);
        var info = new ProcessStartInfo(dll ? "dotnet" : path)
        {
            WorkingDirectory = Path.GetDirectoryName(path)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (dll)
        {
            info.ArgumentList.Add(path);
        }

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

        var clock = Stopwatch.StartNew();
        var sample = new AppProcess(Process.Start(info)!);
        sample._process.OutputDataReceived += (_, e) => sample.Append(e.Data);
        sample._process.ErrorDataReceived += (_, e) => sample.Append(e.Data);
        sample._process.BeginOutputReadLine();
        sample._process.BeginErrorReadLine();

        while (clock.Elapsed < timeout)
        {
            if (ready(sample.Output) is { } url)
            {
                sample.StartTime = clock.Elapsed;
                sample.BaseUrl = url;
                return sample;
            }

            if (sample._process.HasExited)
            {
                break;
            }

            await Task.Delay(20);
        }

        var output = sample.Output;
        await sample.DisposeAsync();
        throw new AssertionException($"{path} printed no {waitingFor} within {timeout}:\n{output}");
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

    /// <summary>The address in ASP.NET Core's start-up line (Microsoft.Hosting.Lifetime), once logged.</summary>
    public static string? ListeningUrl(string output) => Listening().Match(output) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
