using System.Diagnostics;
using Flaat.Cli;

namespace Flaat.Tests.Cli;

/// <summary>The real executable: console streams, process environment and exit code are wired to the command.</summary>
public sealed class ProgramTests
{
    [Test]
    public async Task Main_NoTokenInEnvironment_Exits1WithOneLineOnStderr()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // Run it from its own output folder, with its own dependencies (Flaat.Tests has a different set).
        var tool = Path.Combine(AppContext.BaseDirectory.Replace("Flaat.Tests", "Flaat.Cli", StringComparison.Ordinal), "flaat-userinfo.dll");
        Assert.That(tool, Does.Exist, "Flaat.Cli is built beside Flaat.Tests");
        start.ArgumentList.Add(tool);
        foreach (var variable in TokenSources.EnvironmentVariables)
        {
            start.Environment.Remove(variable);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Multiple(async () =>
        {
            Assert.That(process.ExitCode, Is.EqualTo(ExitCodes.NoToken));
            Assert.That(await stdout, Is.Empty);
            Assert.That((await stderr).TrimEnd().Split('\n'), Has.Length.EqualTo(1));
            Assert.That(await stderr, Does.StartWith("flaat-userinfo: No access token"));
        });
    }
}
