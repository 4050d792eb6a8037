using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Flaat.Engine;
using Flaat.Testing;

namespace Flaat.Tests.Core.Engine;

public sealed class MetricsTests
{
    [Test]
    public async Task AuthenticateAsync_Outcomes_CountedByResultAndOpCallsByEndpoint()
    {
        using var op = FakeOpenIdProvider.Start();
        using var meters = new TestMeterFactory();
        var measurements = new ConcurrentQueue<(string Instrument, string Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (meters.Meters.Contains(instrument.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
            measurements.Enqueue((instrument.Name, string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}")))));
        listener.Start();
        using var engine = new FlaatAuthenticator(EngineTestKit.OptionsFor(op), meterFactory: meters);
        var token = op.CreateJwt(new FakeUser("bob"));

        await engine.AuthenticateAsync(new AuthenticationRequest(token));
        await engine.AuthenticateAsync(new AuthenticationRequest(token));
        await engine.AuthenticateAsync(new AuthenticationRequest(TokenOfUntrustedIssuer()));

        var authentications = measurements.Where(m => m.Instrument == "flaat.authentications").Select(m => m.Tags).ToList();
        var opRequests = measurements.Where(m => m.Instrument == "flaat.op.requests").Select(m => m.Tags).ToList();
        Assert.That(authentications, Is.EqualTo(new[] { "flaat.result=accepted", "flaat.result=cached", "flaat.result=rejected" }));
        Assert.That(opRequests, Is.EquivalentTo(new[]
        {
            $"flaat.issuer={op.Issuer},flaat.endpoint=discovery,flaat.outcome=ok",
            $"flaat.issuer={op.Issuer},flaat.endpoint=jwks,flaat.outcome=ok",
            $"flaat.issuer={op.Issuer},flaat.endpoint=userinfo,flaat.outcome=ok",
        }));
    }

    private static string TokenOfUntrustedIssuer()
    {
        using var other = FakeOpenIdProvider.Start();
        return other.CreateJwt(new FakeUser("eve"));
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public ConcurrentBag<Meter> Meters { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            Meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Meters)
            {
                meter.Dispose();
            }
        }
    }
}
