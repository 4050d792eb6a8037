using Flaat.Evaluation;

namespace Flaat.Tests.Core.Evaluation;

/// <summary>
/// Only the <c>Bearer</c> scheme is read as a bearer token: another scheme of the same length, followed
/// by a space and a token-shaped value, must not pass the separator check as if it were one.
/// </summary>
public sealed class BearerSchemeTests
{
    [TestCase("Digest abc")]
    [TestCase("Beaver abc")]
    [TestCase("Bearex abc")]
    [TestCase("xBearer abc")]
    [TestCase("Token  abc")]
    [TestCase("Bearer2 abc")]
    [TestCase("Bearerabc")]
    public void FromAuthorizationHeader_OtherSchemeWithASpaceAndAToken_NoTokenAndNoErrorCode(string header)
    {
        var token = BearerToken.FromAuthorizationHeader(header);

        Assert.Multiple(() =>
        {
            Assert.That(token.HasToken, Is.False);
            Assert.That(token.Token, Is.Null);
            Assert.That(token.Problem, Is.EqualTo("No bearer token in authorization header"));
            Assert.That(token.ChallengeError, Is.Null);
        });
    }

    [TestCase("bEaReR abc")]
    [TestCase("Bearer abc")]
    public void FromAuthorizationHeader_BearerInAnyCase_TheToken(string header) =>
        Assert.That(BearerToken.FromAuthorizationHeader(header).Token, Is.EqualTo("abc"));
}
