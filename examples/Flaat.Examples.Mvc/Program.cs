// Flaat's MVC example: the routes of flaat's Flask example as controller actions with Flaat attributes.
// Without a configured OP it starts an embedded demo OP and prints curl commands to try.
using Flaat.Examples;
using Flaat.Requirements;

var builder = WebApplication.CreateBuilder(args);
DemoProvider.UseDefaultUrl(builder, "http://127.0.0.1:8081");
var demo = DemoProvider.StartIfUnconfigured(builder);
var settings = ExampleSettings.From(builder.Configuration);

builder.Services.AddControllers();
builder.Services.AddFlaat(builder.Configuration.GetSection("Flaat"))
    // Attributes hold constants only; requirements built from configuration become named access levels.
    .AddAccessLevel("admin_email", Require.Claim(settings.AdminEmails, "email", Match.One))
    .AddAccessLevel("required_vos", Require.Vo(settings.RequiredEntitlements, "eduperson_entitlement", Match.All))
    .AddRedisWhenConfigured(builder.Configuration);   // a fleet's replica when Flaat:Cache:Redis is set

builder.Services.AddHealthChecks().AddFlaat();

var app = builder.Build();
app.MapControllers();

// Each trusted OP as Flaat sees it (configuration and key ages, last error, circuit); no token needed.
app.MapHealthChecks("/healthz");

demo?.PrintCurlCommandsWhenStarted(app, "/authorized_level", "/authorized_vo");

app.Run();

/// <summary>The example's entry point, visible to tests.</summary>
public partial class Program;
