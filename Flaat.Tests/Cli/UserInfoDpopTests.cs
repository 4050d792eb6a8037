using Flaat.Cli;
using Flaat.Testing;

namespace Flaat.Tests.Cli;

/// <summary>flaat-userinfo on DPoP-bound tokens (RFC 9449): it says the token is bound, and to which key.</summary>
public sealed class UserInfoDpopTests
{
    [Test]
    public async Task RunAsync_DpopBoundJwt_SaysItIsBoundWithTheKeysThumbprint()
    {
        await using var op = FakeOpenIdProvider.Start();
        using var key = FakeDpopKey.Create();
        var token = op.CreateJwt(new FakeUser("alice"), new FakeTokenOptions { DpopKey = key });

        var run = await CliRun.RunAsync([token]);

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Valid), run.ToString());
            Assert.That(run.Stdout, Does.Contain($"The token is DPoP-bound (cnf.jkt {key.Thumbprint})"));
            Assert.That(op.RequestCount(FakeOpenIdEndpoint.UserInfo), Is.Zero, "userinfo refuses a bound token; its claims come from the JWT");
        });
    }

    [Test]
    public async Task RunAsync_BearerJwt_SaysNothingAboutBinding()
    {
        await using var op = FakeOpenIdProvider.Start();

        var run = await CliRun.RunAsync([op.CreateJwt(new FakeUser("alice"))]);

        Assert.That(run.Stdout, Does.Not.Contain("DPoP"));
    }
}
