using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Flaat.Tests.Docs;

/// <summary>
/// An ASP.NET Core application started as its user would (its own process, a free loopback port):
/// a <c>dotnet</c> DLL or a native executable; ready once it logs the address it listens on.
/// </summary>
internal sealed partial class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SampleProcess(Process process) => _process = process;

    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>Time from the process start until it logged its address.</summary>
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
    public static async Task<SampleProcess> StartAsync(string path, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
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
        var sample = new SampleProcess(Process.Start(info)!);
        sample._process.OutputDataReceived += (_, e) => sample.Append(e.Data);
        sample._process.ErrorDataReceived += (_, e) => sample.Append(e.Data);
        sample._process.BeginOutputReadLine();
        sample._process.BeginErrorReadLine();

        while (clock.Elapsed < timeout)
        {
            if (Listening().Match(sample.Output) is { Success: true } match)
            {
                sample.StartTime = clock.Elapsed;
                sample.BaseUrl = match.Groups[1].Value;
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
        throw new AssertionException($"{path} did not start listening within {timeout}:\n{output}");
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

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
