namespace Flaat.Tests.Redis;

/// <summary>The test Redis server itself: it starts, answers, can be killed and started again, and is gone after dispose.</summary>
public sealed class RedisServerTests
{
    [Test]
    public void Start_AnswersAndKeepsData_UntilKilled()
    {
        using var redis = RedisServer.Start();
        Assert.That(redis.Command("SET flaat-test 1"), Is.EqualTo("+OK"));
        Assert.That(redis.Command("EXISTS flaat-test"), Is.EqualTo(":1"));

        redis.Kill();
        Assert.That(redis.IsRunning, Is.False);
        Assert.That(() => redis.Command("PING"), Throws.InstanceOf<System.Net.Sockets.SocketException>());

        redis.Restart();
        Assert.That(redis.Command("EXISTS flaat-test"), Is.EqualTo(":0"), "nothing was saved");
    }

    [Test]
    public void Dispose_StopsTheServer()
    {
        var redis = RedisServer.Start();
        var port = redis.Port;

        redis.Dispose();

        using var client = new System.Net.Sockets.TcpClient();
        Assert.That(() => client.Connect(System.Net.IPAddress.Loopback, port), Throws.InstanceOf<System.Net.Sockets.SocketException>());
    }
}
