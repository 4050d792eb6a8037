using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Flaat.Tests.Redis;

/// <summary>
/// A real Redis server (the Debian package <c>redis-server</c>) for one test or fixture: its own free
/// port on 127.0.0.1, its own temporary directory, no persistence; stopped and removed on dispose.
/// It can be killed, suspended (a hung server: connections open, no answers) and started again on
/// the same port, for the outage scenarios.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private readonly string _directory;
    private Process? _process;

    private RedisServer(int port)
    {
        Port = port;
        _directory = Directory.CreateTempSubdirectory("flaat-redis-").FullName;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis connection string of this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Whether the server process is running (suspended counts as running).</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server on a free port and waits until it answers PING.</summary>
    public static RedisServer Start()
    {
        var server = new RedisServer(FreePort());
        try
        {
            server.Restart();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>The path of <c>redis-server</c>, or a failure that says how to get it.</summary>
    public static string Executable()
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/sbin"))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("redis-server is not installed: install the Debian package (apt-get install redis-server); .ci/run does");
    }

    /// <summary>Starts the server again on the same port (after <see cref="Kill"/>), with an empty data set.</summary>
    public void Restart()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The Redis server is running");
        }

        var start = new ProcessStartInfo(Executable())
        {
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--bind", "127.0.0.1",
                     "--dir", _directory,
                     "--save", string.Empty,
                     "--appendonly", "no",
                     "--daemonize", "no",
                     "--loglevel", "warning",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                lock (output)
                {
                    throw new InvalidOperationException($"redis-server exited with {process.ExitCode} on port {Port}: {output}");
                }
            }

            if (Ping())
            {
                return;
            }

            Thread.Sleep(50);
        }

        Kill();
        throw new TimeoutException($"redis-server on port {Port} did not answer PING within 20 s");
    }

    /// <summary>Kills the server at once (SIGKILL): connections drop, nothing is saved.</summary>
    public void Kill()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            if (!process.HasExited)
            {
                Resume(process);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>Suspends the server (SIGSTOP): connections stay open and nothing is answered, as a hung server.</summary>
    public void Suspend() => Signal("STOP");

    /// <summary>Resumes a suspended server (SIGCONT).</summary>
    public void Resume() => Signal("CONT");

    /// <summary>Sends one command in Redis' inline protocol and returns the first line of the answer.</summary>
    public string Command(string inline)
    {
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, Port);
        client.ReceiveTimeout = 5000;
        var stream = client.GetStream();
        stream.Write(Encoding.UTF8.GetBytes(inline + "\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadLine() ?? string.Empty;
    }

    public void Dispose()
    {
        Kill();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: the temporary directory is left for the OS to clean.
        }
    }

    private static void Resume(Process process)
    {
        using var cont = Process.Start("kill", ["-CONT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        cont?.WaitForExit(5000);
    }

    private void Signal(string signal)
    {
        var process = _process ?? throw new InvalidOperationException("The Redis server is not running");
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill?.WaitForExit(5000);
    }

    private bool Ping()
    {
        try
        {
            return Command("PING") == "+PONG";
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
