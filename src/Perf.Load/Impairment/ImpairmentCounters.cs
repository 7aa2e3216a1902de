using Perf.Results.Model;

namespace Perf.Load.Impairment;

/// <summary>What an <see cref="ImpairmentProxy"/> has done so far, read at one moment.</summary>
/// <param name="Connections">Connections accepted.</param>
/// <param name="Open">Connections open now.</param>
/// <param name="BytesUp">Bytes carried client to server.</param>
/// <param name="BytesDown">Bytes carried server to client.</param>
/// <param name="Resets">Connections reset (RST both ways) because the profile said so.</param>
/// <param name="PeerResets">Connections reset because one side reset or failed (passed on to the other side).</param>
/// <param name="StallDelays">Chunks an outage held back.</param>
/// <param name="LossDelays">Chunks held back by the retransmission delay of a simulated loss.</param>
/// <param name="UpstreamFailures">Connections whose server could not be reached (the client was reset).</param>
/// <param name="LoopCpuTime">CPU time of the event-loop thread (sampled every 100 ms and when it stops).</param>
public readonly record struct ImpairmentCounters(
    long Connections,
    long Open,
    long BytesUp,
    long BytesDown,
    long Resets,
    long PeerResets,
    long StallDelays,
    long LossDelays,
    long UpstreamFailures,
    TimeSpan LoopCpuTime)
{
    /// <summary>The result file's <c>scenario.network.proxy</c>; CPU per message when <paramref name="messages"/> is positive.</summary>
    public NetworkProxyUsage ToUsage(long messages) => new()
    {
        Connections = Connections,
        BytesUp = BytesUp,
        BytesDown = BytesDown,
        Resets = Resets,
        StallDelays = StallDelays,
        LossDelays = LossDelays,
        UpstreamFailures = UpstreamFailures,
        CpuUsPerMessage = messages > 0 ? LoopCpuTime.TotalMicroseconds / messages : null,
    };

    /// <summary>One line for a terminal.</summary>
    public override string ToString() =>
        $"connections={Connections} open={Open} bytes_up={BytesUp} bytes_down={BytesDown} resets={Resets} peer_resets={PeerResets} stall_delays={StallDelays} loss_delays={LossDelays} upstream_failures={UpstreamFailures} loop_cpu_ms={LoopCpuTime.TotalMilliseconds:F0}";
}
