using System.Collections;
using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flaat.Engine;
using Microsoft.Extensions.Logging;

namespace Flaat.Cli;

/// <summary>The exit codes of <c>flaat-userinfo</c>.</summary>
internal static class ExitCodes
{
    /// <summary>The token was accepted and has not expired (or its expiry is unknown).</summary>
    public const int Valid = 0;

    /// <summary>No token was given.</summary>
    public const int NoToken = 1;

    /// <summary>The token was rejected, has expired, or no user infos were found for it.</summary>
    public const int Rejected = 2;

    /// <summary>Any other error: bad options, misconfiguration, an OP that could not be reached.</summary>
    public const int Error = 3;
}

/// <summary>
/// <c>flaat-userinfo</c>: shows what Flaat learns from an access token. All of the tool's logic,
/// callable in-process (tests, end-to-end runs) with its own streams, environment and HTTP client.
/// </summary>
internal static class UserInfoCommand
{
    private const string AccessTokenInfoKey = "access_token_info";
    private const string UserInfoKey = "user_info";
    private const string IntrospectionInfoKey = "introspection_info";

    private static readonly JsonSerializerOptions OutputJson = new()
    {
        WriteIndented = true,
        IndentSize = 4,
        // Names such as "Müller" stay readable; the output goes to a terminal or a JSON reader, never into HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Runs the command.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="stdin">Read for the token when it is given as <c>-</c>.</param>
    /// <param name="stdout">Receives the result.</param>
    /// <param name="stderr">Receives errors (one line each) and, with <c>--verbose</c>, the log.</param>
    /// <param name="environment">The environment variables (the token may come from there).</param>
    /// <param name="httpClient">The client for calls to OPs; Flaat makes its own when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the run; an <see cref="OperationCanceledException"/> is rethrown.</param>
    /// <returns>One of <see cref="ExitCodes"/>.</returns>
    public static async Task<int> RunAsync(
        string[] args,
        TextReader stdin,
        TextWriter stdout,
        TextWriter stderr,
        IDictionary environment,
        HttpClient? httpClient = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdin);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        ArgumentNullException.ThrowIfNull(environment);

        var commandLine = new UserInfoCommandLine();
        var parsed = commandLine.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            return Fail(stderr, ExitCodes.Error, $"{parsed.Errors[0].Message} See '{UserInfoCommandLine.CommandName} --help'.");
        }

        if (parsed.Action is not null)
        {
            // --help or --version: System.CommandLine prints them.
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
        }

        var settings = commandLine.ToSettings(parsed);
        string? token = null;
        if (settings.OidcAgentAccount is null)
        {
            token = await TokenSources.ReadAsync(settings.TokenArgument, stdin, environment, cancellationToken).ConfigureAwait(false);
            if (token is null)
            {
                return Fail(
                    stderr,
                    ExitCodes.NoToken,
                    $"No access token: give it as the first argument, '-' to read it from standard input, set one of {string.Join(", ", TokenSources.EnvironmentVariables)}, or use --oidc-agent-account.");
            }
        }

        // From here on the run has a time limit (--timeout): oidc-agent and the OPs may hang; the user typing a token above may not.
        using var deadline = new CancellationTokenSource(settings.Timeout, timeProvider ?? TimeProvider.System);
        using var limited = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        OidcAgentToken? fromAgent = null;
        if (settings.OidcAgentAccount is not null)
        {
            try
            {
                fromAgent = await OidcAgentTokenAsync(settings, environment, limited.Token).ConfigureAwait(false);
            }
            catch (OidcAgentException e)
            {
                return Fail(stderr, ExitCodes.Error, $"oidc-agent: {e.Message}");
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return Fail(stderr, ExitCodes.Error, $"Timed out: oidc-agent did not answer within {Durations.Format(settings.Timeout)} (--timeout).");
            }

            token = fromAgent.AccessToken;
            if (settings.Verbose)
            {
                stderr.WriteLine($"{UserInfoCommandLine.CommandName}: oidc-agent: {fromAgent}");
            }
        }

        var accessToken = token!; // from exactly one of the two sources above

        // A token of the wrong shape (non-ASCII, white space inside, too long) is refused here, as
        // every Flaat adapter refuses it: no OP is asked, and it is the token's fault, not an error.
        if (Evaluation.BearerToken.FromToken(accessToken) is { HasToken: false, Problem: { } problem })
        {
            return Fail(stderr, ExitCodes.Rejected, $"Token rejected: {problem}");
        }

        var options = BuildOptions(settings, accessToken);
        if (settings.Verbose)
        {
            stderr.WriteLine($"{UserInfoCommandLine.CommandName}: trusted issuers: {string.Join(", ", options.TrustedIssuers)}");
        }

        var issuerHint = settings.IssuerHint ?? TrustedAgentIssuer(fromAgent, options, settings.Verbose ? stderr : null);

        using var loggerFactory = settings.Verbose ? new TextWriterLoggerFactory(stderr, LogLevel.Debug) : null;
        FlaatAuthenticator authenticator;
        try
        {
            authenticator = new FlaatAuthenticator(options, httpClient, timeProvider, loggerFactory);
        }
        catch (ArgumentException e)
        {
            // Misconfiguration found at start-up; the message names the setting (drop the "(Parameter 'options')" suffix).
            var message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
            return Fail(stderr, ExitCodes.Error, message);
        }

        using (authenticator)
        {
            AuthenticationResult result;
            try
            {
                result = await authenticator
                    .AuthenticateAsync(new AuthenticationRequest(accessToken, issuerHint, RequireUserInfo: true), limited.Token)
                    .ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return TimedOut(stderr, settings);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                // Flaat reports expected failures as results; anything thrown is a fault, not a verdict on the token.
                return Fail(stderr, ExitCodes.Error, $"Unexpected {e.GetType().Name}: {e.Message}");
            }

            if (result.UserInfos is not { } userInfos)
            {
                if (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    // The engine reports a probe cut short by the time limit as an unreachable OP; say which limit it was.
                    return TimedOut(stderr, settings);
                }

                var error = result.Error!;
                var code = error.StatusCode is 401 or 403 ? ExitCodes.Rejected : ExitCodes.Error;
                var prefix = error.StatusCode switch
                {
                    401 or 403 => "Token rejected",
                    503 => "OP unavailable",
                    _ => "Error",
                };
                if (settings.Verbose && error.Details is not null)
                {
                    stderr.WriteLine($"{UserInfoCommandLine.CommandName}: details: {error.Details.ToJsonString()}");
                }

                return Fail(stderr, code, $"{prefix}: {error.Description}");
            }

            return Report(settings, userInfos, (timeProvider ?? TimeProvider.System).GetUtcNow(), stdout);
        }
    }

    /// <summary>The token from oidc-agent (<c>--oidc-agent-account</c>), asked over the socket <c>OIDC_SOCK</c> names.</summary>
    private static Task<OidcAgentToken> OidcAgentTokenAsync(UserInfoSettings settings, IDictionary environment, CancellationToken cancellationToken)
    {
        if (environment[OidcAgent.SocketVariable] is not string { Length: > 0 } socket)
        {
            throw new OidcAgentException(
                $"{OidcAgent.SocketVariable} is not set: start oidc-agent in this session (eval `oidc-agent-service use`) or set {OidcAgent.SocketVariable} to its socket.");
        }

        var request = new OidcAgentRequest(settings.OidcAgentAccount!, settings.OidcAgentMinLifetime, settings.OidcAgentScope);
        return OidcAgent.GetAccessTokenAsync(socket, request, cancellationToken);
    }

    /// <summary>
    /// The issuer oidc-agent names, as the issuer hint, when it is trusted anyway: the agent's word
    /// never adds an issuer to the trusted ones (an agent, or whoever set OIDC_SOCK, could name any).
    /// </summary>
    private static string? TrustedAgentIssuer(OidcAgentToken? fromAgent, FlaatOptions options, TextWriter? verbose)
    {
        if (fromAgent?.Issuer is not { } issuer)
        {
            return null;
        }

        if (options.TrustedIssuers.Any(trusted => NormaliseIssuer(trusted) == NormaliseIssuer(issuer)))
        {
            return issuer;
        }

        verbose?.WriteLine($"{UserInfoCommandLine.CommandName}: oidc-agent names the issuer {issuer}, which is not trusted: not used as a hint.");
        return null;
    }

    private static int TimedOut(TextWriter stderr, UserInfoSettings settings) =>
        Fail(stderr, ExitCodes.Error, $"Timed out: no answer from the OP within {Durations.Format(settings.Timeout)} (--timeout).");

    private static FlaatOptions BuildOptions(UserInfoSettings settings, string token)
    {
        var trusted = new List<string>();
        if (settings.TrustedIssuers.Count > 0)
        {
            trusted.AddRange(settings.TrustedIssuers);
        }
        else
        {
            trusted.AddRange(WellKnownIssuers.All);
            // A JWT's own issuer, unless Flaat could not trust it anyway (then the token is rejected as from an untrusted issuer).
            if (TokenSources.PeekJwtIssuer(token) is { } jwtIssuer && UserInfoCommandLine.IssuerUrlProblem(jwtIssuer) is null)
            {
                trusted.Add(jwtIssuer);
            }
        }

        if (settings.IssuerHint is { } hint)
        {
            trusted.Add(hint);
        }

        return new FlaatOptions
        {
            TrustedIssuers = trusted.DistinctBy(NormaliseIssuer, StringComparer.Ordinal).ToList(),
            ClientId = settings.ClientId,
            ClientSecret = settings.ClientSecret,
            VerifyJwt = !settings.SkipJwtVerification,
        };
    }

    // As the engine compares issuers: at most one trailing slash of difference.
    private static string NormaliseIssuer(string issuer) => issuer.EndsWith('/') ? issuer[..^1] : issuer;

    private static int Report(UserInfoSettings settings, UserInfos userInfos, DateTimeOffset now, TextWriter stdout)
    {
        var validFor = userInfos.TimeLeft(now);
        var exitCode = validFor <= TimeSpan.Zero ? ExitCodes.Rejected : ExitCodes.Valid;
        if (settings.Quiet)
        {
            return exitCode;
        }

        var all = (JsonObject)JsonNode.Parse(userInfos.ToJson())!;
        if (settings.Json)
        {
            // The user infos JSON, limited to the chosen parts.
            var selected = new JsonObject();
            foreach (var (key, show) in Parts(settings))
            {
                if (show)
                {
                    selected[key] = all[key]?.DeepClone();
                }
            }

            stdout.WriteLine(selected.ToJsonString(OutputJson));
            return exitCode;
        }

        if (settings.Verbose)
        {
            stdout.WriteLine($"User: {userInfos.Subject}@{userInfos.Issuer}");
        }

        if (settings.ShowAccessTokenInfo)
        {
            WriteBlock(stdout, "Access token info", all[AccessTokenInfoKey], "none, the token is not a JWT");
        }

        if (settings.ShowUserInfo)
        {
            WriteBlock(stdout, "User info", all[UserInfoKey], "none");
        }

        if (settings.ShowIntrospectionInfo)
        {
            WriteBlock(
                stdout,
                "Introspection info",
                all[IntrospectionInfoKey],
                settings.ClientId is null
                    ? "none, give --client-id and --client-secret to ask the OP"
                    : "none, the OP publishes no introspection endpoint or was not asked");
        }

        if (BoundKey(userInfos) is { } jkt)
        {
            stdout.WriteLine($"The token is DPoP-bound (cnf.jkt {jkt}): an API accepts it only with a proof signed by the client's key.");
        }

        stdout.WriteLine(validFor switch
        {
            null => "The token's expiry is not known: neither the token nor the OP's introspection answer says when it expires.",
            { } left when left > TimeSpan.Zero => $"Your token is valid for {Durations.Format(left)}.",
            { } left => $"Your token has expired {Durations.Format(left)} ago.",
        });
        return exitCode;
    }

    /// <summary>The <c>cnf.jkt</c> of a DPoP-bound token (RFC 9449), from the JWT or the introspection answer; <see langword="null"/> for a bearer token.</summary>
    private static string? BoundKey(UserInfos userInfos)
    {
        foreach (var claims in new[] { userInfos.AccessTokenInfo?.Body, userInfos.IntrospectionInfo })
        {
            if (claims is not null && claims.TryGetValue("cnf", out var cnf) && cnf.ValueKind == System.Text.Json.JsonValueKind.Object
                && cnf.TryGetProperty("jkt", out var jkt))
            {
                return jkt.ValueKind == System.Text.Json.JsonValueKind.String ? jkt.GetString() : jkt.GetRawText();
            }
        }

        return null;
    }

    private static IEnumerable<(string Key, bool Show)> Parts(UserInfoSettings settings) =>
    [
        (AccessTokenInfoKey, settings.ShowAccessTokenInfo),
        (IntrospectionInfoKey, settings.ShowIntrospectionInfo),
        (UserInfoKey, settings.ShowUserInfo),
    ];

    private static void WriteBlock(TextWriter stdout, string label, JsonNode? content, string whenAbsent)
    {
        if (content is null)
        {
            stdout.WriteLine($"{label}: {whenAbsent}.");
            return;
        }

        stdout.WriteLine($"{label}:");
        foreach (var line in content.ToJsonString(OutputJson).Split('\n'))
        {
            stdout.Write("    ");
            stdout.WriteLine(line.TrimEnd('\r'));
        }
    }

    /// <summary>Writes one line to standard error and returns the exit code.</summary>
    private static int Fail(TextWriter stderr, int exitCode, string message)
    {
        var oneLine = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        stderr.WriteLine($"{UserInfoCommandLine.CommandName}: {oneLine}");
        return exitCode;
    }
}
