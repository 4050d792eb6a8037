// Flaat's gRPC example: the Example service protected by Flaat attributes, on an embedded demo OP
// when none is configured. `dotnet run -- call METHOD` is the client (token in ACCESS_TOKEN).
using Flaat.Examples;
using Flaat.Examples.Grpc;
using Flaat.Examples.Grpc.Services;
using Flaat.Requirements;
using Microsoft.AspNetCore.Server.Kestrel.Core;

if (args.Length > 0 && args[0] == "call")
{
    return await ExampleClient.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
DemoProvider.UseDefaultUrl(builder, "http://127.0.0.1:8082");
// gRPC without TLS needs HTTP/2 without negotiation.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
var demo = DemoProvider.StartIfUnconfigured(builder);
var settings = ExampleSettings.From(builder.Configuration);

builder.Services.AddGrpc().AddFlaat();
builder.Services.AddFlaat(builder.Configuration.GetSection("Flaat"))
    .AddAccessLevel("required_vos", Require.Vo(settings.RequiredEntitlements, "eduperson_entitlement", Match.All))
    .AddRedisWhenConfigured(builder.Configuration);   // a fleet's replica when Flaat:Cache:Redis is set
builder.Services.AddHealthChecks().AddFlaat();

var app = builder.Build();
app.MapGrpcService<ExampleService>();

// Each trusted OP as Flaat sees it (configuration and key ages, last error, circuit); no token needed.
// The server speaks HTTP/2 only (gRPC without TLS): curl --http2-prior-knowledge http://127.0.0.1:8082/healthz
app.MapHealthChecks("/healthz");

if (demo is not null)
{
    app.Lifetime.ApplicationStarted.Register(() =>
    {
        var url = DemoProvider.ListeningUrl(app);
        Console.WriteLine();
        Console.WriteLine(demo.Describe(
        [
            $"  ACCESS_TOKEN=\"$ADMIN_TOKEN\" dotnet run --project examples/Flaat.Examples.Grpc -- call AuthorizedLevel --address {url}",
            $"  ACCESS_TOKEN=\"$USER_TOKEN\" dotnet run --project examples/Flaat.Examples.Grpc -- call AuthorizedLevel --address {url}",
        ]));
        Console.WriteLine();
    });
}

app.Run();
return 0;
