using System.Diagnostics;
using System.Security.Cryptography;

namespace Flaat.Tests.EndToEnd;

/// <summary>
/// The npm project of the end-to-end OP (<c>op/</c>, copied next to the test assembly by the
/// build). Runs <c>npm ci</c> there when its packages are missing or stale, once per lockfile
/// version, serialised across threads and processes with a lock file, so that a plain
/// <c>dotnet test</c> on a fresh clone works.
/// </summary>
internal static class OidcProviderInstallation
{
    private const string StampFile = ".flaat-installed";
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>The directory holding <c>server.mjs</c>, <c>package.json</c> and <c>package-lock.json</c>.</summary>
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "EndToEnd", "op");

    /// <summary>Makes sure the npm packages are installed; returns <see cref="Directory"/>.</summary>
    public static async Task<string> EnsureInstalledAsync(CancellationToken cancellationToken)
    {
        var lockfile = Path.Combine(Directory, "package-lock.json");
        if (!File.Exists(lockfile) || !File.Exists(Path.Combine(Directory, "server.mjs")))
        {
            throw new InvalidOperationException($"The OP project is missing in {Directory}; the test build copies EndToEnd/op there.");
        }

        var expected = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(lockfile, cancellationToken)));
        var stamp = Path.Combine(Directory, "node_modules", StampFile);
        if (IsInstalled(stamp, expected))
        {
            return Directory;
        }

        await Gate.WaitAsync(cancellationToken);
        try
        {
            await using var fileLock = await AcquireFileLockAsync(Path.Combine(Directory, ".install.lock"), cancellationToken);
            if (!IsInstalled(stamp, expected))
            {
                await RunNpmCiAsync(cancellationToken);
                await File.WriteAllTextAsync(stamp, expected, cancellationToken);
            }
        }
        finally
        {
            Gate.Release();
        }

        return Directory;
    }

    private static bool IsInstalled(string stamp, string expected) =>
        File.Exists(stamp) && string.Equals(File.ReadAllText(stamp).Trim(), expected, StringComparison.Ordinal);

    private static async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(InstallTimeout);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                // Another process installs right now.
                await Task.Delay(TimeSpan.FromMilliseconds(250), timeout.Token);
            }
        }
    }

    private static async Task RunNpmCiAsync(CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(OperatingSystem.IsWindows() ? "npm.cmd" : "npm")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("npm (Node.js) is required for the end-to-end tests: it installs the oidc-provider package.", e);
        }

        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(InstallTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'npm ci' in {Directory} failed with exit code {process.ExitCode}:{Environment.NewLine}{await output}{await errors}");
        }
    }
}
