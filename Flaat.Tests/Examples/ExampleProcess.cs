using System.Text.RegularExpressions;

namespace Flaat.Tests.Examples;

/// <summary>
/// Runs a built example as a user would (its own process, a free loopback port, see
/// <see cref="AppProcess"/>): with no OP configured it reads the demo tokens and URL it prints; with
/// settings that name an OP (a fleet's replica) it reads the URL it listens on.
/// </summary>
internal sealed partial class ExampleProcess : IAsyncDisposable
{
    private readonly AppProcess _process;

    private ExampleProcess(AppProcess process) => _process = process;

    public string BaseUrl => _process.BaseUrl;

    public string AdminToken { get; private set; } = string.Empty;

    public string UserToken { get; private set; } = string.Empty;

    public string AdminOpaqueToken { get; private set; } = string.Empty;

    public string Output => _process.Output;

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
        var process = demo
            ? await AppProcess.StartAsync(dll, timeout, environment, DemoUrl, "curl commands")
            : await AppProcess.StartAsync(dll, timeout, environment);
        var example = new ExampleProcess(process);
        if (demo)
        {
            var text = process.Output;
            example.AdminToken = Quoted(text, "ADMIN_TOKEN");
            example.UserToken = Quoted(text, "USER_TOKEN");
            example.AdminOpaqueToken = Quoted(text, "ADMIN_OPAQUE_TOKEN");
        }

        return example;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static string? DemoUrl(string output) => CurlUrl().Match(output) switch
    {
        { Success: false } => null,
        var url when url.Groups[1].Success => url.Groups[1].Value,
        var url => url.Groups[2].Value,
    };

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
}
