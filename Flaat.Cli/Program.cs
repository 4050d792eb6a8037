using Flaat.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

try
{
    return await UserInfoCommand.RunAsync(
        args,
        Console.In,
        Console.Out,
        Console.Error,
        Environment.GetEnvironmentVariables(),
        cancellationToken: cancellation.Token).ConfigureAwait(false);
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync($"{UserInfoCommandLine.CommandName}: cancelled.").ConfigureAwait(false);
    return ExitCodes.Error;
}
