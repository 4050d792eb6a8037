using Flaat;
using Flaat.AspNetCore;
using Flaat.Evaluation;
using Flaat.Requirements;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Flaat in an ASP.NET Core application.</summary>
public static class FlaatServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="System.Net.Http.HttpClient"/> Flaat talks to OPs with.</summary>
    public const string HttpClientName = "Flaat";

    /// <summary>
    /// Adds Flaat with its settings bound from the configuration section <c>Flaat</c>
    /// (appsettings.json, environment variables such as <c>Flaat__TrustedIssuers__0</c>).
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <returns>A builder for access levels and endpoint behaviour.</returns>
    public static FlaatBuilder AddFlaat(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<FlaatEndpointOptions>().Configure<IServiceProvider>((options, provider) =>
        {
            if (provider.GetService<IConfiguration>() is { } configuration)
            {
                BindEndpointOptions(options, configuration.GetSection(FlaatOptions.SectionName));
            }
        });
        services.AddOptions<FlaatAccessOptions>().Configure<IServiceProvider>((options, provider) =>
        {
            if (provider.GetService<IConfiguration>() is { } configuration)
            {
                BindAccessLevels(options, configuration.GetSection(FlaatOptions.SectionName));
            }
        });
        return AddFlaatCore(services, options => options.BindConfiguration(FlaatOptions.SectionName));
    }

    /// <summary>Adds Flaat with its settings bound from a configuration section.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="section">The section, e.g. <c>builder.Configuration.GetSection("Flaat")</c>.</param>
    /// <returns>A builder for access levels and endpoint behaviour.</returns>
    public static FlaatBuilder AddFlaat(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<FlaatEndpointOptions>().Configure(options => BindEndpointOptions(options, section));
        services.AddOptions<FlaatAccessOptions>().Configure(options => BindAccessLevels(options, section));
        return AddFlaatCore(services, options => options.Bind(section));
    }

    /// <summary>Adds Flaat with its settings given in code.</summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets Flaat's settings (trusted issuers, ...).</param>
    /// <returns>A builder for access levels and endpoint behaviour.</returns>
    public static FlaatBuilder AddFlaat(this IServiceCollection services, Action<FlaatOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return AddFlaatCore(services, options => options.Configure(configure));
    }

    // The one funnel: every registration is TryAdd*, so calling AddFlaat twice is harmless.
    private static FlaatBuilder AddFlaatCore(IServiceCollection services, Action<OptionsBuilder<FlaatOptions>> configureOptions)
    {
        var options = services.AddOptions<FlaatOptions>();
        configureOptions(options);
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FlaatOptions>, FlaatOptionsValidation>());

        // Each options type has its owner and its validator; all are validated at start-up.
        services.AddOptions<FlaatAccessOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FlaatAccessOptions>, FlaatAccessOptionsValidation>());
        services.AddOptions<FlaatEndpointOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<FlaatEvaluatorOptions>, FlaatEnvironmentOverrides>());
        // The engine keeps its client for the application's lifetime; the primary handler recycles
        // its pooled connections itself, so the factory must not rotate (and leak) handlers.
        services.AddHttpClient(HttpClientName)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => FlaatEngineFactory.CreatePrimaryHandler(sp.GetRequiredService<IOptions<FlaatOptions>>().Value));
        services.TryAddSingleton<IFlaatAuthenticator>(FlaatEngineFactory.CreateAuthenticator);
        services.TryAddSingleton(FlaatEngineFactory.GetIssuerMonitor);
        services.TryAddSingleton(FlaatEngineFactory.GetRevoker);
        services.TryAddSingleton(CreateEvaluator);
        services.TryAddSingleton<FlaatAccessLevelRegistry>();
        services.TryAddSingleton(sp => new FlaatEndpointPolicyResolver(
            sp.GetRequiredService<FlaatAccessLevelRegistry>(),
            sp.GetRequiredService<IOptions<FlaatEndpointOptions>>(),
            sp.GetService<IOptions<AuthorizationOptions>>()));
        FlaatPresentationServices.Add(services);
        services.TryAddSingleton<FlaatHttpGate>();
        services.TryAddSingleton<FlaatMvcFilter>();
        services.TryAddScoped<FlaatRequestState>();
        services.TryAddScoped(GetUserInfos);

        services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<MvcOptions>, FlaatMvcOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAuthorizationHandler, FlaatAuthorizationHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, FlaatStartupCheck>());
        return new FlaatBuilder(services);
    }

    // Only the access levels bind (DefinedInCode is filled by AddAccessLevel), through the configuration
    // binder's source generator: no reflection, so it works trimmed and under Native AOT.
    private static void BindAccessLevels(FlaatAccessOptions options, IConfiguration section) =>
        section.GetSection(nameof(FlaatAccessOptions.AccessLevels)).Bind(options.AccessLevels);

    private static void BindEndpointOptions(FlaatEndpointOptions options, IConfiguration section)
    {
        // Only the hosting settings bind (Flaat:RequireAuthenticationByDefault, Flaat:AllowEnvironmentOverrides, Flaat:QueryTokenPaths).
        if (section.GetValue<bool?>(nameof(FlaatEndpointOptions.RequireAuthenticationByDefault)) is { } require)
        {
            options.RequireAuthenticationByDefault = require;
        }

        if (section.GetValue<bool?>(nameof(FlaatEndpointOptions.AllowEnvironmentOverrides)) is { } allow)
        {
            options.AllowEnvironmentOverrides = allow;
        }

        QueryStringTokenReader.BindPaths(options, section);
    }

    private static FlaatEvaluator CreateEvaluator(IServiceProvider services) =>
        new(
            services.GetRequiredService<IFlaatAuthenticator>(),
            services.GetRequiredService<IOptions<FlaatEvaluatorOptions>>().Value,
            services.GetService<ILogger<FlaatEvaluator>>(),
            services.GetServices<IFlaatTokenBinder>());

    private static UserInfos GetUserInfos(IServiceProvider services)
    {
        var state = services.GetRequiredService<FlaatRequestState>();
        if (state.Feature is not { } feature)
        {
            throw new InvalidOperationException(
                "UserInfos is available only in requests to endpoints protected by Flaat (a Flaat attribute, RequireFlaat(...), or the Flaat authentication scheme).");
        }

        // Under optional authentication without a user the container needs a value: the placeholder,
        // which Flaat's minimal-API filter replaces with null before the handler runs.
        return feature.UserInfos
            ?? (state.NoUserBindsAsNull
                ? FlaatRequestState.NoUser
                : throw new InvalidOperationException(
                    "There is no authenticated user to bind to a UserInfos parameter (optional authentication without a token?). "
                    + "Use .OptionalFlaat() on the endpoint, or read HttpContext.GetUserInfos(), which returns null."));
    }
}
