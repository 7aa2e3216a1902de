using NATS.Client.Core;
using NATS.Client.JetStream;
using Perf.Load.Idle;

namespace Perf.Load.Targets.JetStream;

/// <summary>Reads a JetStream stream's bytes and messages, as its server counts them, over a connection of its own.</summary>
public static class JetStreamStreamState
{
    /// <summary>The state of <paramref name="stream"/> at <paramref name="url"/>, or null when the stream does not exist (yet).</summary>
    public static async Task<StreamState?> ReadAsync(string url, string stream, CancellationToken cancellationToken)
    {
        await using var nats = new NatsConnection(new NatsOpts { Url = url, Name = "perf-stream-state", ConnectTimeout = TimeSpan.FromSeconds(5), RequestTimeout = TimeSpan.FromSeconds(10) });
        try
        {
            var info = await new NatsJSContext(nats).GetStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new StreamState(info.Info.State.Bytes, info.Info.State.Messages);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            return null;
        }
    }
}
