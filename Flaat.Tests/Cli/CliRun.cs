using System.Collections;
using Flaat.Cli;

namespace Flaat.Tests.Cli;

/// <summary>What one in-process run of flaat-userinfo produced.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The lines written to standard error.</summary>
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The last line written to standard output.</summary>
    public string LastLine => Stdout.TrimEnd().Split('\n')[^1];

    /// <summary>Everything the run produced, as a failure message.</summary>
    public override string ToString() => $"exit code {ExitCode}\n--- stdout:\n{Stdout}--- stderr:\n{Stderr}";

    /// <summary>Runs <see cref="UserInfoCommand"/> with captured streams and the given environment only.</summary>
    public static async Task<CliRun> RunAsync(
        IEnumerable<string> args,
        string stdin = "",
        IDictionary? environment = null,
        TimeProvider? timeProvider = null)
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        var code = await UserInfoCommand.RunAsync(
            [.. args],
            input,
            output,
            error,
            environment ?? new Hashtable(),
            timeProvider: timeProvider);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
