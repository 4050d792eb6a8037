using System.Diagnostics;
using System.Text;

namespace Flaat.Tests.EndToEnd;

/// <summary>
/// A real OpenID provider for end-to-end tests: the certified <c>oidc-provider</c> npm package,
/// started by <c>op/server.mjs</c> as a child process on 127.0.0.1 with a free port. Installs the
/// npm packages on first use. See <c>op/server.mjs</c> for what the OP offers.
/// </summary>
public sealed class OidcProviderFixture : IAsyncDisposable
{
    /// <summary>The confidential client a protected API uses for introspection (client_secret_basic).</summary>
    public const string ApiClientId = "flaat-api";

    /// <summary>The secret of <see cref="ApiClientId"/>.</summary>
    public const string ApiClientSecret = "flaat-api-secret";

    /// <summary>The public client users log in with (PKCE).</summary>
    public const string AppClientId = "e2e-app";

    /// <summary>The redirect URI of both clients; nothing listens there, the flow stops at the redirect.</summary>
    public const string RedirectUri = "http://127.0.0.1:9/callback";

    /// <summary>The resource indicator for which the OP issues RS256-signed JWT access tokens; also their <c>aud</c>.</summary>
    public const string JwtResource = "urn:flaat:e2e:api";

    /// <summary>The resource indicator for ES256-signed JWT access tokens.</summary>
    public const string Es256Resource = "urn:flaat:e2e:api-es256";

    /// <summary>The resource indicator for EdDSA-signed JWT access tokens.</summary>
    public const string EdDsaResource = "urn:flaat:e2e:api-eddsa";

    /// <summary>The admin user: groups admins and users.</summary>
    public const string Alice = "alice";

    /// <summary>The plain user: group users.</summary>
    public const string Bob = "bob";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _stderr;

    private OidcProviderFixture(Process process, StringBuilder stderr, Uri issuer, Uri baseUri, TimeSpan accessTokenLifetime)
    {
        _process = process;
        _stderr = stderr;
        IssuerUri = issuer;
        BaseUri = baseUri;
        AccessTokenLifetime = accessTokenLifetime;
        Client = new OidcFlowClient(this);
    }

    /// <summary>The issuer, exactly as the OP writes it into tokens (<c>http://127.0.0.1:port</c>, no trailing slash).</summary>
    public string Issuer => IssuerUri.OriginalString;

    /// <summary>The issuer as a URI.</summary>
    public Uri IssuerUri { get; }

    /// <summary>Where the OP listens (<c>http://127.0.0.1:port</c>); differs from the issuer only for an impostor.</summary>
    public Uri BaseUri { get; }

    /// <summary>How long the OP's access tokens are valid.</summary>
    public TimeSpan AccessTokenLifetime { get; }

    /// <summary>Gets tokens from this OP through the authorization-code flow.</summary>
    public OidcFlowClient Client { get; }

    /// <summary>What the OP wrote to stderr so far (for failure messages).</summary>
    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>An absolute URL on this OP.</summary>
    /// <param name="path">The path, e.g. <c>/jwks</c>.</param>
    public Uri Url(string path) => new(BaseUri, path);

    /// <summary>Installs the OP if needed, starts it and waits until it listens.</summary>
    /// <param name="accessTokenLifetime">How long access tokens are valid; default 5 minutes.</param>
    /// <param name="issuer">
    /// The issuer the OP claims to be; by default its own URL. Another OP's issuer makes an
    /// impostor: tokens with the right <c>iss</c>, signed with the wrong keys.
    /// </param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<OidcProviderFixture> StartAsync(TimeSpan? accessTokenLifetime = null, string? issuer = null, CancellationToken cancellationToken = default)
    {
        var lifetime = accessTokenLifetime ?? TimeSpan.FromMinutes(5);
        var directory = await OidcProviderInstallation.EnsureInstalledAsync(cancellationToken);

        var startInfo = new ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("server.mjs");
        startInfo.ArgumentList.Add("--port");
        startInfo.ArgumentList.Add("0");
        startInfo.ArgumentList.Add("--ttl");
        startInfo.ArgumentList.Add(((int)Math.Ceiling(lifetime.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (issuer is not null)
        {
            startInfo.ArgumentList.Add("--issuer");
            startInfo.ArgumentList.Add(issuer);
        }

        var stderr = new StringBuilder();
        var ready = new TaskCompletionSource<(Uri Issuer, Uri BaseUri)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            // "ready <issuer> <listening URL>"
            if (e.Data is { } line && line.StartsWith("ready ", StringComparison.Ordinal)
                && line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var announced, var listening])
            {
                ready.TrySetResult((new Uri(announced), new Uri(listening)));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (stderr)
                {
                    stderr.AppendLine(line);
                }
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException(
            $"The OP (node server.mjs in {directory}) exited before it was ready:{Environment.NewLine}{Snapshot(stderr)}"));

        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException("Node.js ('node' on the PATH) is required for the end-to-end tests.", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var (announced, listening) = await ready.Task.WaitAsync(StartTimeout, cancellationToken);
            return new OidcProviderFixture(process, stderr, announced, listening, lifetime);
        }
        catch (Exception e)
        {
            await StopAsync(process);
            process.Dispose();
            if (e is TimeoutException)
            {
                throw new TimeoutException($"The OP did not print its ready line within {StartTimeout}:{Environment.NewLine}{Snapshot(stderr)}", e);
            }

            throw;
        }
    }

    /// <summary>Stops the OP.</summary>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync(_process);
        _process.Dispose();
    }

    private static async Task StopAsync(Process process)
    {
        try
        {
            if (process.HasExited)
            {
                return;
            }

            // server.mjs exits when its stdin closes; kill it if it does not within a moment.
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }
    }

    private static string Snapshot(StringBuilder stderr)
    {
        lock (stderr)
        {
            return stderr.ToString();
        }
    }
}
