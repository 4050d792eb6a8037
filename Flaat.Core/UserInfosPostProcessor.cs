using System.Text.Json.Nodes;

namespace Flaat;

/// <summary>
/// Adjusts the claims of a token once, when the engine has gathered them and before requirements
/// see them or the result is cached — flaat's <c>UserInfos.post_process_dictionaries()</c>. Use it
/// to copy claims between sources, rename them, or normalise values (e.g. Keycloak's <c>/group</c>
/// names to <c>group</c>).
/// </summary>
/// <remarks>
/// Runs once per token (cache hits do not run it again), on the engine's shared load; implementations
/// must be thread-safe and fast. Processors run in registration order. Throwing a
/// <see cref="FlaatException"/> refuses the token with that error; any other exception is a fault.
/// With ASP.NET Core, register implementations as <c>IUserInfosPostProcessor</c> services.
/// </remarks>
public interface IUserInfosPostProcessor
{
    /// <summary>Adjusts the claim sets of one token in place.</summary>
    /// <param name="context">The mutable claim sets.</param>
    void PostProcess(UserInfosPostProcessingContext context);
}

/// <summary>The claim sets of one token, as mutable JSON objects, for <see cref="IUserInfosPostProcessor"/>.</summary>
public sealed class UserInfosPostProcessingContext
{
    internal UserInfosPostProcessingContext(JsonObject userInfo, JsonObject? introspectionInfo, JsonObject? accessTokenBody, AccessTokenInfo? accessTokenInfo)
    {
        UserInfo = userInfo;
        IntrospectionInfo = introspectionInfo;
        AccessTokenBody = accessTokenBody;
        AccessTokenInfo = accessTokenInfo;
    }

    /// <summary>The userinfo claims (empty when the OP was not asked); changes become <see cref="UserInfos.UserInfo"/>.</summary>
    public JsonObject UserInfo { get; }

    /// <summary>The introspection answer, <see langword="null"/> when the OP was not asked; changes become <see cref="UserInfos.IntrospectionInfo"/>.</summary>
    public JsonObject? IntrospectionInfo { get; }

    /// <summary>The JWT payload, <see langword="null"/> for an opaque token; changes become <see cref="AccessTokenInfo.Body"/>.</summary>
    public JsonObject? AccessTokenBody { get; }

    /// <summary>The token as decoded and verified, before any change (header, signature, verification).</summary>
    public AccessTokenInfo? AccessTokenInfo { get; }
}
