using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Flaat.Benchmarks;

/// <summary>What JwtBearer validates a token with: a <see cref="JsonWebTokenHandler"/> and the OP's published keys.</summary>
internal static class JwtBearerEquivalent
{
    public static (JsonWebTokenHandler Handler, TokenValidationParameters Parameters) Create(InProcessOpenIdProvider provider)
    {
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = provider.Issuer,
            ValidAudience = InProcessOpenIdProvider.Audience,
            IssuerSigningKeys = new JsonWebKeySet(provider.JwksJson).GetSigningKeys(),
            ValidAlgorithms = ["RS256"],
        };
        return (new JsonWebTokenHandler(), parameters);
    }
}

/// <summary>Set-up checks that stop a benchmark measuring the wrong thing.</summary>
internal static class Check
{
    public static void That(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
