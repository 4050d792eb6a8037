using Flaat.AspNetCore;

namespace Flaat.Tests.AspNetCore;

public sealed class FlaatEngineFactoryTests
{
    [Test]
    public void CreatePrimaryHandler_VerifyTlsOn_KeepsCertificateValidation()
    {
        using var handler = (SocketsHttpHandler)FlaatEngineFactory.CreatePrimaryHandler(new FlaatOptions());

        Assert.Multiple(() =>
        {
            Assert.That(handler.SslOptions.RemoteCertificateValidationCallback, Is.Null);
            Assert.That(handler.PooledConnectionLifetime, Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(handler.UseCookies, Is.False);
            Assert.That(handler.AllowAutoRedirect, Is.False, "an OP's redirect is never followed");
        });
    }

    [Test]
    public void CreatePrimaryHandler_VerifyTlsOff_AcceptsAnyCertificate()
    {
        using var handler = (SocketsHttpHandler)FlaatEngineFactory.CreatePrimaryHandler(new FlaatOptions { VerifyTls = false });

        Assert.That(handler.SslOptions.RemoteCertificateValidationCallback!(this, null, null, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors), Is.True);
    }
}
