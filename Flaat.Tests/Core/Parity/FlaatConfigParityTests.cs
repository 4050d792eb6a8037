using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Flaat.Engine;
using Flaat.Testing;
using Flaat.Tests.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Flaat.Tests.Core.Parity;

/// <summary>flaat's FlaatConfig setters that no other test exercises end to end: set_verify_tls and set_verbosity.</summary>
public sealed class FlaatConfigParityTests
{
    [Test]
    public async Task VerifyTls_SelfSignedOp_RefusedWhenOnAndAcceptedWhenOff()
    {
        await using var op = await SelfSignedOp.StartAsync();
        using var verifying = new FlaatAuthenticator(new FlaatOptions { TrustedIssuers = { op.Issuer }, Issuer = op.Issuer, RequestTimeout = TimeSpan.FromSeconds(10) });
        using var trusting = new FlaatAuthenticator(new FlaatOptions { TrustedIssuers = { op.Issuer }, Issuer = op.Issuer, VerifyTls = false, RequestTimeout = TimeSpan.FromSeconds(10) });

        var refused = Assert.ThrowsAsync<FlaatUnavailableException>(() => verifying.GetUserInfosAsync("opaque-token"));
        var callsWhileVerifying = op.UserInfoCalls;
        var infos = await trusting.GetUserInfosAsync("opaque-token");

        Assert.That(refused!.Message, Does.Contain("could not be reached"));
        Assert.That(callsWhileVerifying, Is.Zero, "no token is sent over a connection whose certificate failed");
        Assert.That(infos.Subject, Is.EqualTo("alice"));
        Assert.That(infos.Issuer, Is.EqualTo(op.Issuer));
    }

    [TestCase(LogLevel.Debug, true)]
    [TestCase(LogLevel.Error, false)]
    public async Task LoggingFilterOnFlaatCategory_ReplacesSetVerbosity(LogLevel level, bool expectDebugLine)
    {
        using var op = FakeOpenIdProvider.Start();
        using var stranger = FakeOpenIdProvider.Start();
        using var provider = new ListLoggerProvider();
        // appsettings.json: "Logging": { "LogLevel": { "Flaat": "Debug" } } does the same.
        using var loggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Flaat", level).AddProvider(provider));
        using var engine = new FlaatAuthenticator(new FlaatOptions { TrustedIssuers = { op.Issuer }, RequestTimeout = TimeSpan.FromSeconds(10) }, loggerFactory: loggerFactory);

        var result = await engine.AuthenticateAsync(new AuthenticationRequest(stranger.CreateJwt(new FakeUser("eve"))));

        Assert.That(result.Error!.StatusCode, Is.EqualTo(401));
        Assert.That(provider.Entries.Any(e => e.Level == LogLevel.Debug && e.Id.Id == 2001), Is.EqualTo(expectDebugLine));
    }

    /// <summary>An OP on https://127.0.0.1 with a self-signed certificate: discovery and a userinfo that accepts any token.</summary>
    private sealed class SelfSignedOp : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly X509Certificate2 _certificate;
        private int _userInfoCalls;

        private SelfSignedOp(WebApplication app, X509Certificate2 certificate)
        {
            _app = app;
            _certificate = certificate;
        }

        public string Issuer => _app.Urls.First().TrimEnd('/');

        public int UserInfoCalls => Volatile.Read(ref _userInfoCalls);

        public static async Task<SelfSignedOp> StartAsync()
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);

            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
            var app = builder.Build();
            var op = new SelfSignedOp(app, certificate);
            app.MapGet("/.well-known/openid-configuration", (HttpContext context) =>
            {
                var issuer = $"https://{context.Request.Host}";
                return Results.Json(new Dictionary<string, string> { ["issuer"] = issuer, ["userinfo_endpoint"] = issuer + "/userinfo" });
            });
            app.MapGet("/userinfo", () =>
            {
                Interlocked.Increment(ref op._userInfoCalls);
                return Results.Json(new Dictionary<string, string> { ["sub"] = "alice" });
            });
            await app.StartAsync();
            return op;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.DisposeAsync();
            _certificate.Dispose();
        }
    }
}
