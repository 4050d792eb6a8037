using Flaat.LoadServer;

// The load-test server of benchmarks/load/run.sh: one handler behind no authentication, behind
// Flaat and behind JwtBearer, with one RS256 token from a fake OP on 127.0.0.1.
//   dotnet run -c Release --project benchmarks/Flaat.LoadServer -- --info-file /tmp/flaat-load.info
// writes "<base url>\n<token>\n" to the info file once it listens, and runs until stopped.
var infoFile = args.SkipWhile(a => a != "--info-file").Skip(1).FirstOrDefault();
await using var server = await LoadServerApp.StartAsync();
Console.WriteLine($"Flaat load server on {server.BaseUrl}: /none /flaat /jwt; token of {server.Token.Length} characters");
if (infoFile is not null)
{
    await File.WriteAllTextAsync(infoFile, server.BaseUrl + "\n" + server.Token + "\n");
}

await server.App.WaitForShutdownAsync();
