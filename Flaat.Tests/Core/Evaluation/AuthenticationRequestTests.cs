namespace Flaat.Tests.Core.Evaluation;

public sealed class AuthenticationRequestTests
{
    [Test]
    public void ToString_RequestWithToken_DoesNotShowTheToken()
    {
        var request = new AuthenticationRequest("eyJ.secret-token-value.sig", "https://op.test", RequireUserInfo: true);

        var text = request.ToString();

        Assert.That(text, Does.Not.Contain("secret-token-value"));
        Assert.That(text, Does.Contain("https://op.test").And.Contain("RequireUserInfo = True"));
    }
}
