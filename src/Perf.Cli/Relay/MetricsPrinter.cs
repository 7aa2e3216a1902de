using System.Diagnostics.Metrics;
using Relay.Server.Metrics;

namespace Perf.Cli.Relay;

/// <summary>For <c>perf relay --metrics</c>: listens to the Relay.Server meter and prints one summary line a second.</summary>
internal sealed class MetricsPrinter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Timer _timer;
    private readonly TextWriter _output;
    private long _connections;
    private long _accepted;
    private long _delivered;
    private long _rejected;
    private long _bytesIn;
    private long _bytesOut;
    private double _latencySum;
    private long _latencyCount;
    private long _depth;

    public MetricsPrinter(TextWriter output)
    {
        _output = output;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == RelayMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "relay.connections": Interlocked.Add(ref _connections, value); break;
                case "relay.messages.accepted": Interlocked.Add(ref _accepted, value); break;
                case "relay.messages.delivered": Interlocked.Add(ref _delivered, value); break;
                case "relay.messages.rejected": Interlocked.Add(ref _rejected, value); break;
                case "relay.bytes.in": Interlocked.Add(ref _bytesIn, value); break;
                case "relay.bytes.out": Interlocked.Add(ref _bytesOut, value); break;
                case "relay.mailbox.depth": Interlocked.Exchange(ref _depth, value); break;
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "relay.forwarding.latency")
            {
                lock (_listener)
                {
                    _latencySum += value;
                    _latencyCount++;
                }
            }
        });
        _listener.Start();
        _timer = new Timer(_ => Print(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Dispose()
    {
        _timer.Dispose();
        _listener.Dispose();
    }

    private void Print()
    {
        _listener.RecordObservableInstruments();
        double mean;
        lock (_listener)
        {
            mean = _latencyCount == 0 ? 0 : _latencySum / _latencyCount;
            _latencySum = 0;
            _latencyCount = 0;
        }

        _output.WriteLine($"metrics connections={Interlocked.Read(ref _connections)} accepted={Interlocked.Exchange(ref _accepted, 0)}/s delivered={Interlocked.Exchange(ref _delivered, 0)}/s rejected={Interlocked.Exchange(ref _rejected, 0)}/s in={Interlocked.Exchange(ref _bytesIn, 0)}B/s out={Interlocked.Exchange(ref _bytesOut, 0)}B/s held={Interlocked.Read(ref _depth)} forward_mean_us={mean:F0}");
    }
}
