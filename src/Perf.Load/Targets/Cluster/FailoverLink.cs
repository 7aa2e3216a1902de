using System.Net.Sockets;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Perf.Load.Targets.Cluster;

/// <summary>
/// One client connection of a cluster client (an identity's, or a sealed-sender sender's anonymous
/// one) that outlives its node: when the connection drops, it connects to the next live node and
/// hands the new connection to its owner (<see cref="RunAsync"/>'s <c>adopt</c>), which sends again
/// what the dropped one left unanswered. <see cref="Gate"/> serialises everything written to the
/// connection; it is held across writes and flushes, never across a read, so the scheduling thread
/// (which also reads the generator's sockets) cannot wait on a reader.
/// </summary>
internal sealed class FailoverLink(ClusterConnector connector, X25519KeyPair? identity, int firstNode, CancellationToken stop)
{
    private static readonly TimeSpan ReconnectPause = TimeSpan.FromMilliseconds(50);
    private RelayClientConnection? _client;
    private int _node = firstNode;
    private bool _disposed;

    /// <summary>Held by whoever writes to <see cref="Client"/>.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The live connection, or <c>null</c> between nodes; read and written under <see cref="Gate"/>.</summary>
    public RelayClientConnection? Client => _client;

    /// <summary>The node the link is on (or trying).</summary>
    public int Node => Volatile.Read(ref _node) % connector.Nodes.Count;

    /// <summary>Connects to the first node (or, when it is down, the next live one), trying each once.</summary>
    /// <exception cref="RelayClientException">No node took the connection.</exception>
    public async Task<RelayClientConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = await ConnectToLiveNodeAsync(connector.Nodes.Count, cancellationToken).ConfigureAwait(false)
            ?? throw new RelayClientException("no relay node took the connection");
        _client = client;
        return client;
    }

    /// <summary>
    /// Reads <paramref name="first"/> and every connection after it until the run stops: each frame
    /// goes to <paramref name="frame"/> (with its arrival time); after a drop the link connects to
    /// the next live node and, under <see cref="Gate"/>, makes it <see cref="Client"/> and calls
    /// <paramref name="adopt"/> with it (then flushes it), before any other write.
    /// </summary>
    public async Task RunAsync(RelayClientConnection first, Action<RelayFrame, long> frame, Func<RelayClientConnection, int> adopt, Action reconnected)
    {
        var client = first;
        while (client is not null)
        {
            await ReadUntilClosedAsync(client, frame).ConfigureAwait(false);
            await Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                if (ReferenceEquals(_client, client))
                {
                    _client = null;
                }
            }
            finally
            {
                Gate.Release();
            }

            await client.DisposeAsync().ConfigureAwait(false);
            if (stop.IsCancellationRequested || Volatile.Read(ref _disposed))
            {
                return;
            }

            Interlocked.Increment(ref _node);
            client = await ConnectToLiveNodeAsync(attempts: int.MaxValue, stop).ConfigureAwait(false);
            if (client is not null)
            {
                reconnected();
                await AdoptAsync(client, adopt).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops reconnecting and closes the live connection.</summary>
    public async ValueTask DisposeAsync()
    {
        Volatile.Write(ref _disposed, true);
        RelayClientConnection? client;
        await Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            client = _client;
            _client = null;
        }
        finally
        {
            Gate.Release();
        }

        if (client is not null)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Whether <paramref name="ex"/> is a connection going away (a killed node mid-frame, a reset, a closed pipe).</summary>
    public static bool IsDrop(Exception ex) =>
        ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or RelayClientException or OperationCanceledException
            or global::Relay.Crypto.Noise.NoiseException or System.Net.WebSockets.WebSocketException;

    private static async Task ReadUntilClosedAsync(RelayClientConnection client, Action<RelayFrame, long> frame)
    {
        try
        {
            while (await client.ReadAsync(CancellationToken.None).ConfigureAwait(false) is { } read)
            {
                var received = LoadTargetContext.Now();
                if (read.Type == FrameType.Error)
                {
                    return;
                }

                frame(read, received);
            }
        }
        catch (Exception ex) when (IsDrop(ex))
        {
            // A node killed mid-frame: the same as a close.
        }
    }

    // The new connection: its owner's resends go out on it first, then the scheduler may write.
    private async Task AdoptAsync(RelayClientConnection client, Func<RelayClientConnection, int> adopt)
    {
        await Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            _client = client;
            if (adopt(client) > 0)
            {
                await client.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (IsDrop(ex))
        {
            // Dropped again at once: the read loop sees the close and moves on.
        }
        finally
        {
            Gate.Release();
        }
    }

    // Tries the nodes in turn from the current one, pausing once round the list; null when stopped.
    private async Task<RelayClientConnection?> ConnectToLiveNodeAsync(int attempts, CancellationToken cancellationToken)
    {
        var count = connector.Nodes.Count;
        RelayClientException? last = null;
        for (var attempt = 0; attempt < attempts && !cancellationToken.IsCancellationRequested; attempt++)
        {
            try
            {
                if (await connector.ConnectAsync(Node, identity, cancellationToken).ConfigureAwait(false) is { } client)
                {
                    return client;
                }
            }
            catch (Exception ex) when (IsDrop(ex))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return null;
                }

                last = ex as RelayClientException ?? new RelayClientException($"node {Node}: {ex.Message}", ex);
            }

            Interlocked.Increment(ref _node);
            if ((attempt + 1) % count == 0)
            {
                try
                {
                    await Task.Delay(ReconnectPause, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }
        }

        return attempts == int.MaxValue || last is null ? null : throw last;
    }
}
