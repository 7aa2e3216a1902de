using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Relay.Server.Tests.Abuse;

/// <summary>
/// Sums what one relay's counters record, by instrument and <c>reason</c> tag. It listens to that
/// relay's own instrument objects, so relays of tests running beside it do not add to the sums
/// (the /metrics scrape, which sees every relay in the process, is tested alone).
/// </summary>
internal sealed class CounterProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string? Reason), long> _sums = new();

    public CounterProbe(RelayServer relay)
    {
        var metrics = relay.Metrics;
        Instrument[] watched = [metrics.HandshakesStarted, metrics.HandshakesFailed, metrics.ConnectionsRefused, metrics.BadInput, metrics.Rejected];
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (Array.IndexOf(watched, instrument) >= 0)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? reason = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "reason")
                {
                    reason = tag.Value as string;
                }
            }

            _sums.AddOrUpdate((instrument.Name, reason), value, (_, sum) => sum + value);
        });
        _listener.Start();
    }

    /// <summary>What <paramref name="name"/> counted with reason <paramref name="reason"/>, or under every reason when it is <c>null</c>.</summary>
    public long Sum(string name, string? reason = null)
    {
        long sum = 0;
        foreach (var ((instrument, tagged), value) in _sums)
        {
            if (instrument == name && (reason is null || tagged == reason))
            {
                sum += value;
            }
        }

        return sum;
    }

    public void Dispose() => _listener.Dispose();
}
