using System.Text.Json;
using System.Text.Json.Nodes;
using Flaat.Errors;

namespace Flaat.Engine;

/// <summary>Applies the registered post-processors while user infos are built.</summary>
internal static class UserInfosPostProcessing
{
    /// <summary>The user infos, or the refusal a post-processor made by throwing a <see cref="FlaatException"/> (as documented).</summary>
    public static Result<UserInfos> Create(
        IReadOnlyList<IUserInfosPostProcessor> processors,
        AccessTokenInfo? info,
        IReadOnlyDictionary<string, JsonElement> userInfo,
        IReadOnlyDictionary<string, JsonElement>? introspection)
    {
        if (processors.Count == 0)
        {
            return new UserInfos(info, userInfo, introspection);
        }

        try
        {
            return Run(processors, info, userInfo, introspection);
        }
        catch (FlaatException e)
        {
            return e.ToError();
        }
    }

    private static UserInfos Run(
        IReadOnlyList<IUserInfosPostProcessor> processors,
        AccessTokenInfo? info,
        IReadOnlyDictionary<string, JsonElement> userInfo,
        IReadOnlyDictionary<string, JsonElement>? introspection)
    {

        var context = new UserInfosPostProcessingContext(
            ToObject(userInfo),
            introspection is null ? null : ToObject(introspection),
            info is null ? null : ToObject(info.Body),
            info);
        foreach (var processor in processors)
        {
            processor.PostProcess(context);
        }

        var body = context.AccessTokenBody;
        var processedInfo = info is null || body is null
            ? info
            : new AccessTokenInfo(ToElement(info.Header), ToElement(body), info.Signature, info.VerificationAlgorithm);
        return new UserInfos(
            processedInfo,
            ClaimSet.From(ToElement(context.UserInfo), nameof(context.UserInfo)),
            context.IntrospectionInfo is { } processed ? ClaimSet.From(ToElement(processed), nameof(context.IntrospectionInfo)) : null);
    }

    private static JsonObject ToObject(IReadOnlyDictionary<string, JsonElement> claims)
    {
        var result = new JsonObject();
        foreach (var (name, value) in claims)
        {
            result[name] = JsonNode.Parse(value.GetRawText());
        }

        return result;
    }

    private static JsonElement ToElement(IReadOnlyDictionary<string, JsonElement> claims)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            ClaimSet.WriteSorted(writer, claims);
        }

        using var document = JsonDocument.Parse(stream.ToArray());
        return document.RootElement.Clone();
    }

    private static JsonElement ToElement(JsonObject claims)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            claims.WriteTo(writer);
        }

        using var document = JsonDocument.Parse(stream.ToArray());
        return document.RootElement.Clone();
    }
}
