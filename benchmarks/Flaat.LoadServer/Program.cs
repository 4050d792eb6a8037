using Flaat.LoadServer;

// The load-test server of benchmarks/load/run.sh: one handler behind no authentication, behind
// Flaat and behind JwtBearer, with one RS256 token from a fake OP on 127.0.0.1.
//   dotnet run -c Release --project benchmarks/Flaat.LoadServer -- --info-file /tmp/flaat-load.info
// writes "<base url>\n<token>\n" to the info file once it listens, and runs until stopped.
// `--redis host:port` shares Flaat's cache on that Redis server, as one replica of a fleet.
var infoFile = args.SkipWhile(a => a != "--info-file").Skip(1).FirstOrDefault();
var redis = args.SkipWhile(a => a != "--redis").Skip(1).FirstOrDefault();
await using var server = await LoadServerApp.StartAsync(redis: redis);
Console.WriteLine($"Flaat load server on {server.BaseUrl}: /none /flaat /jwt; token of {server.Token.Length} characters{(redis is null ? "" : "; cache shared on Redis " + redis)}");
if (infoFile is not null)
{
    await File.WriteAllTextAsync(infoFile, server.BaseUrl + "\n" + server.Token + "\n");
}

await server.App.WaitForShutdownAsync();
