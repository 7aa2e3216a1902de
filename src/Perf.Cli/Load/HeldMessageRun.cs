using Perf.Load.Idle;
using Perf.Load.Targets;
using Perf.Load.Targets.Cluster;
using Perf.Load.Targets.JetStream;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Store.Nats;

namespace Perf.Cli.Load;

/// <summary><c>--held-messages</c>: before the run, messages for recipients that never connect, and what holding them costs the relay, its store and JetStream's disk.</summary>
internal static class HeldMessageRun
{
    /// <summary>Leaves the messages with a relay process (and its store, when it runs here).</summary>
    /// <exception cref="LoadTargetException">The target is not a relay over Noise/TCP.</exception>
    public static async Task<HeldMessageMeasurement> OnTargetAsync(TargetHandle handle, int messages, int size, TextWriter output, CancellationToken cancellationToken)
    {
        var protocol = handle.Idle!.Protocol();
        if (!protocol.HoldsMessages)
        {
            throw new LoadTargetException("--held-messages leaves messages with a relay over Noise/TCP: use --target relay-tcp --target-process (or relay-cluster).");
        }

        await output.WriteLineAsync($"held: leaving {messages} messages for recipients that never connect ({HeldMessageCost.PerRecipient} each, from {HeldMessageCost.Senders} clients)").ConfigureAwait(false);
        var stream = handle.Store is { } store ? StreamReader(store.Url) : null;
        var held = await HeldMessageCost.MeasureAsync(handle.Idle.EndPoint, protocol, messages, EnvelopeSize(size), handle.Process!, handle.Store?.Resources, stream, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(Summary(held, handle.Store?.Name)).ConfigureAwait(false);
        return held;
    }

    /// <summary>Leaves the messages on relay node 0 of a cluster: its memory, the NATS nodes' and JetStream's disk.</summary>
    public static async Task<HeldMessageMeasurement> OnClusterAsync(RelayCluster cluster, int messages, int size, LoadTargetOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"held: leaving {messages} messages on relay node 0 for recipients that never connect ({HeldMessageCost.PerRecipient} each)").ConfigureAwait(false);
        var protocol = new NoiseIdleProtocol(cluster.Relays.RelayKey, AeadAlgorithm.Parse(options.Cipher), AeadBackend.Parse(options.Backend));
        var held = await HeldMessageCost.MeasureAsync(cluster.Relays.EndPointOf(0)!, protocol, messages, EnvelopeSize(size), cluster.Relays.Processes[0]!, cluster.Nats.Processes, StreamReader(cluster.Nats.Urls), cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync(Summary(held, "NATS nodes")).ConfigureAwait(false);
        return held;
    }

    // A sealed message of the scenario's plaintext size: what a held message's envelope is.
    private static int EnvelopeSize(int size) => E2eEnvelope.BaseHeaderSize + size + AeadAlgorithm.TagSizeBytes;

    // The relay store's stream (the store's default name, as perf load starts relays) at the first of the URLs.
    private static Func<CancellationToken, Task<StreamState?>> StreamReader(string urls)
    {
        var url = urls.Split(',')[0];
        var name = new JetStreamStoreOptions { Url = url }.Stream;
        return cancellationToken => JetStreamStreamState.ReadAsync(url, name, cancellationToken);
    }

    private static string Summary(HeldMessageMeasurement held, string? store) =>
        $"held: {held.Accepted} accepted; {held.TargetBytesPerMessage:F0} B per held message in the relay"
        + (held.BesideBytesPerMessage is { } beside ? $", {beside:F0} B in the store's {store}" : "")
        + (held.DiskBytesPerMessage is { } disk ? $", {disk:F0} B on JetStream's disk" : "");
}
