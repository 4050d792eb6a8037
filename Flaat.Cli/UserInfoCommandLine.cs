using System.CommandLine;
using System.CommandLine.Help;

namespace Flaat.Cli;

/// <summary>What the command line asked for, after parsing and validation.</summary>
internal sealed record UserInfoSettings
{
    /// <summary>The token argument: the token itself, <c>-</c> for standard input, or <see langword="null"/> (environment).</summary>
    public string? TokenArgument { get; init; }

    public string? IssuerHint { get; init; }

    public IReadOnlyList<string> TrustedIssuers { get; init; } = [];

    public string? ClientId { get; init; }

    public string? ClientSecret { get; init; }

    public bool SkipJwtVerification { get; init; }

    public bool ShowAccessTokenInfo { get; init; } = true;

    public bool ShowUserInfo { get; init; } = true;

    public bool ShowIntrospectionInfo { get; init; } = true;

    public bool Json { get; init; }

    public bool Quiet { get; init; }

    public bool Verbose { get; init; }

    /// <summary>The oidc-agent account to get the token from; <see langword="null"/>: the token argument or environment.</summary>
    public string? OidcAgentAccount { get; init; }

    public TimeSpan? OidcAgentMinLifetime { get; init; }

    public string? OidcAgentScope { get; init; }

    /// <summary>The time limit of everything after the token is read: the agent and the OP calls.</summary>
    public TimeSpan Timeout { get; init; } = UserInfoCommandLine.DefaultTimeout;
}

/// <summary>
/// The grammar of <c>flaat-userinfo</c> on System.CommandLine: options, help text and validation,
/// so that every mistake is reported in one clear line before any OP is contacted. One instance
/// per run: System.CommandLine symbols are not meant to be shared between concurrent parses.
/// </summary>
internal sealed class UserInfoCommandLine
{
    public const string CommandName = "flaat-userinfo";

    /// <summary>The default of <c>--timeout</c>: enough for a slow OP and an agent that asks the user to confirm.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    private readonly Argument<string?> Token = new("token")
    {
        Description = "The access token; '-' reads it from standard input. Default: the first set of the environment variables "
            + string.Join(", ", TokenSources.EnvironmentVariables) + ".",
        Arity = ArgumentArity.ZeroOrOne,
    };

    private readonly Option<string?> Issuer = UrlOption(new Option<string?>("--issuer")
    {
        Description = "The issuer that issued the token (a hint; it is trusted too).",
        HelpName = "url",
    });

    private readonly Option<string[]> Trust = UrlOption(new Option<string[]>("--trust")
    {
        Description = "Trust this issuer; repeat for several. Default: well-known research OPs and, for a JWT, its own issuer.",
        HelpName = "url",
        // "--trust a --trust b"; "--trust a b" leaves b as the token.
        AllowMultipleArgumentsPerToken = false,
    });

    private readonly Option<string?> ClientId = new("--client-id")
    {
        Description = "Client id for token introspection at the OP.",
        HelpName = "id",
    };

    private readonly Option<string?> ClientSecret = new("--client-secret")
    {
        Description = "Client secret for token introspection at the OP.",
        HelpName = "secret",
    };

    private readonly Option<bool> SkipJwtVerify = new("--skip-jwt-verify")
    {
        Description = "Do not verify a JWT's signature, expiry or issuer keys (for diagnosis only).",
    };

    private readonly Option<bool> AccessToken = new("--access-token")
    {
        Description = "Show the access token info (JWT header, body and signature). All parts are shown when none is chosen.",
    };

    private readonly Option<bool> UserInfo = new("--userinfo")
    {
        Description = "Show the OP's userinfo answer.",
    };

    private readonly Option<bool> Introspection = new("--introspection")
    {
        Description = "Show the OP's introspection answer (needs --client-id and --client-secret).",
    };

    private readonly Option<bool> Json = new("--json")
    {
        Description = "Print only the user infos as JSON.",
    };

    private readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "Print nothing; only the exit code tells the result (errors still go to standard error).",
    };

    private readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Explain what is done on standard error, including Flaat's log.",
    };

    private readonly Option<string?> AgentAccount = new("--oidc-agent-account")
    {
        Description = "Get the access token from oidc-agent for this account short name, over the agent's socket named by "
            + OidcAgent.SocketVariable + ".",
        HelpName = "name",
    };

    private readonly Option<TimeSpan?> AgentMinLifetime = DurationOption<TimeSpan?>(
        "--oidc-agent-min-lifetime", "The token from oidc-agent must stay valid at least this long", TimeSpan.Zero, "at most a day");

    private readonly Option<string?> AgentScope = new("--oidc-agent-scope")
    {
        Description = "Ask oidc-agent for a token with these scopes (space-separated, in quotes). Default: the account's scopes.",
        HelpName = "scope",
    };

    private readonly Option<TimeSpan> Timeout = DurationOption<TimeSpan>(
        "--timeout", "The time limit for getting the token from oidc-agent and asking the OPs; default 30s", TimeSpan.FromMilliseconds(1), "above zero and at most a day");

    private static readonly ParserConfiguration Configuration = new()
    {
        // A token could start with '@'; never read it as a response file.
        ResponseFileTokenReplacer = null,

        // A token could start with '-'; never split it into bundled short options.
        EnablePosixBundling = false,
    };

    private readonly Command _command;
    private bool _optionsEnded;

    public UserInfoCommandLine() => _command = Build();

    /// <summary>Parses the arguments.</summary>
    public ParseResult Parse(IReadOnlyList<string> args)
    {
        _optionsEnded = args.Contains("--");
        return _command.Parse(args, Configuration);
    }

    /// <summary>Reads the settings of a parse result without errors.</summary>
    public UserInfoSettings ToSettings(ParseResult result)
    {
        var accessToken = result.GetValue(AccessToken);
        var userInfo = result.GetValue(UserInfo);
        var introspection = result.GetValue(Introspection);
        var all = !accessToken && !userInfo && !introspection;
        return new UserInfoSettings
        {
            TokenArgument = result.GetValue(Token),
            IssuerHint = result.GetValue(Issuer),
            TrustedIssuers = result.GetValue(Trust) ?? [],
            ClientId = result.GetValue(ClientId),
            ClientSecret = result.GetValue(ClientSecret),
            SkipJwtVerification = result.GetValue(SkipJwtVerify),
            ShowAccessTokenInfo = all || accessToken,
            ShowUserInfo = all || userInfo,
            ShowIntrospectionInfo = all || introspection,
            Json = result.GetValue(Json),
            Quiet = result.GetValue(Quiet),
            Verbose = result.GetValue(Verbose),
            OidcAgentAccount = result.GetValue(AgentAccount),
            OidcAgentMinLifetime = result.GetValue(AgentMinLifetime),
            OidcAgentScope = result.GetValue(AgentScope),
            Timeout = result.GetValue(Timeout),
        };
    }

    private Command Build()
    {
        Token.Validators.Add(result =>
        {
            // A mistyped option lands here as the token. Opaque tokens may start with '-' too (base64url),
            // so only short words of letters and dashes count as options; "--" before a token ends the options.
            if (!_optionsEnded && result.Tokens is [{ Value: { } value }] && LooksLikeOption(value))
            {
                result.AddError($"Unknown option '{value}'.");
            }
        });

        // A plain Command rather than RootCommand, so help names the tool and not the host process.
        var command = new Command(
            CommandName,
            "Shows what Flaat learns from an OIDC access token: the access token info (for a JWT), the OP's userinfo and "
            + "introspection answers, and how long the token stays valid. Exit codes: 0 valid, 1 no token, "
            + "2 token rejected, expired or without user infos, 3 any other error (OP unreachable, no token from oidc-agent, "
            + "--timeout passed, bad options).")
        {
            new HelpOption(), new VersionOption(), Token, Issuer, Trust, ClientId, ClientSecret, SkipJwtVerify, AccessToken, UserInfo, Introspection, Json, Quiet, Verbose,
            AgentAccount, AgentMinLifetime, AgentScope, Timeout,
        };
        Timeout.DefaultValueFactory = _ => DefaultTimeout;
        command.Validators.Add(result =>
        {
            var quiet = result.GetValue(Quiet);
            if (quiet && result.GetValue(Verbose))
            {
                result.AddError("--quiet and --verbose cannot be used together.");
            }

            if (quiet && result.GetValue(Json))
            {
                result.AddError("--quiet and --json cannot be used together.");
            }

            if (result.GetValue(ClientSecret) is not null && result.GetValue(ClientId) is null)
            {
                result.AddError("--client-secret needs --client-id.");
            }

            ValidateAgentOptions(result);
        });
        return command;
    }

    private void ValidateAgentOptions(System.CommandLine.Parsing.CommandResult result)
    {
        if (result.GetValue(AgentAccount) is not { } account)
        {
            foreach (var option in new Option[] { AgentMinLifetime, AgentScope })
            {
                if (result.GetResult(option) is { Implicit: false })
                {
                    result.AddError($"{option.Name} needs --oidc-agent-account.");
                }
            }

            return;
        }

        if (string.IsNullOrWhiteSpace(account) || account.Any(char.IsControl))
        {
            result.AddError("--oidc-agent-account: give the account's short name, as oidc-add knows it.");
        }

        if (result.GetValue(Token) is not null)
        {
            result.AddError("--oidc-agent-account and a token argument cannot be used together: the token comes from the agent.");
        }

        if (result.GetValue(AgentScope) is { } scope && (string.IsNullOrWhiteSpace(scope) || scope.Any(char.IsControl)))
        {
            result.AddError("--oidc-agent-scope: give space-separated scope values.");
        }
    }

    /// <summary>A duration option in the compact form of <see cref="Durations.TryParse"/>, from <paramref name="minimum"/> to a day.</summary>
    private static Option<T> DurationOption<T>(string name, string description, TimeSpan minimum, string range)
    {
        var option = new Option<T>(name)
        {
            Description = $"{description} ({Durations.Syntax}).",
            HelpName = "duration",
        };
        option.CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (!Durations.TryParse(text, out var duration) || duration < minimum || duration > MaxDuration)
            {
                result.AddError($"{name}: '{text}' is not a duration {range} ({Durations.Syntax}).");
                return default!;
            }

            return (T)(object)duration;
        };
        return option;
    }

    /// <summary>
    /// Whether Flaat can trust this issuer URL without extra settings: an absolute https URL, or
    /// http on a loopback address. Returns why not, or <see langword="null"/>.
    /// </summary>
    public static string? IssuerUrlProblem(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return $"'{url}' is not an absolute https:// URL";
        }

        return uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback
            ? $"'{url}' uses http, which is allowed only for loopback addresses"
            : null;
    }

    private static bool LooksLikeOption(string value) =>
        value.Length is > 1 and <= 32
        && value[0] == '-'
        && value.AsSpan(1).TrimStart('-') is { Length: > 0 } name
        && char.IsAsciiLetter(name[0])
        && !name.ContainsAnyExcept(OptionNameCharacters);

    private static readonly System.Buffers.SearchValues<char> OptionNameCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-");

    /// <summary>Accepts only issuer URLs Flaat can trust, naming the option in the error.</summary>
    private static Option<T> UrlOption<T>(Option<T> option)
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (IssuerUrlProblem(token.Value) is { } problem)
                {
                    result.AddError($"{option.Name}: {problem}.");
                }
            }
        });
        return option;
    }
}
