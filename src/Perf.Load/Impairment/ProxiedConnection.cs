using System.Net.Sockets;

namespace Perf.Load.Impairment;

/// <summary>
/// One client connection and its connection to the upstream, with a <see cref="LinkDirection"/>
/// each way and the connection's own faults. The event loop calls <see cref="OnReady"/> when one
/// of its sockets is ready and <see cref="Step"/> when it is due, and does what the step says.
/// </summary>
internal sealed class ProxiedConnection
{
    /// <summary>EPOLLIN.</summary>
    public const uint Input = 0x001;

    /// <summary>EPOLLOUT.</summary>
    public const uint Output = 0x004;

    private long _allowance;

    /// <summary>Connection number <paramref name="index"/> (accept order), opened at <paramref name="originTicks"/>.</summary>
    public ProxiedConnection(long index, Socket client, Socket upstream, NetworkProfile profile, long originTicks, LinkBufferPool pool, ProxyCounters counters)
    {
        Index = index;
        Client = client;
        Upstream = upstream;
        ClientDescriptor = (int)client.Handle;
        UpstreamDescriptor = (int)upstream.Handle;
        Faults = new ConnectionFaults(profile, index, originTicks);
        Up = new LinkDirection(client, upstream, up: true, profile, Faults, pool, counters);
        Down = new LinkDirection(upstream, client, up: false, profile, Faults, pool, counters);
        _allowance = profile.ResetAfterBytes > 0 ? profile.ResetAfterBytes : long.MaxValue;
    }

    /// <summary>The connection's number: the order the proxy accepted it in, from 0.</summary>
    public long Index { get; }

    /// <summary>The accepted client socket.</summary>
    public Socket Client { get; }

    /// <summary>The socket to the upstream.</summary>
    public Socket Upstream { get; }

    /// <summary>The client socket's descriptor.</summary>
    public int ClientDescriptor { get; }

    /// <summary>The upstream socket's descriptor.</summary>
    public int UpstreamDescriptor { get; }

    /// <summary>The connection's random faults.</summary>
    public ConnectionFaults Faults { get; }

    /// <summary>Client to upstream.</summary>
    public LinkDirection Up { get; }

    /// <summary>Upstream to client.</summary>
    public LinkDirection Down { get; }

    /// <summary>Its slot in the loop's table.</summary>
    public int Slot { get; set; }

    /// <summary>Tells this connection's events from those of a connection that held the slot before.</summary>
    public int Generation { get; set; }

    /// <summary>What the client socket is watched for now (0: not in the epoll set).</summary>
    public uint ClientEvents { get; set; }

    /// <summary>What the upstream socket is watched for now (0: not in the epoll set).</summary>
    public uint UpstreamEvents { get; set; }

    /// <summary>When the loop's timer will step it next (<see cref="long.MaxValue"/>: not scheduled).</summary>
    public long ScheduledTicks { get; set; } = long.MaxValue;

    /// <summary>Tells the loop's current timer entry from ones it replaced.</summary>
    public int TimerStamp { get; set; }

    /// <summary>What the client socket should be watched for.</summary>
    public uint WantedClientEvents => (Up.WantsRead ? Input : 0) | (Down.WriteBlocked ? Output : 0);

    /// <summary>What the upstream socket should be watched for.</summary>
    public uint WantedUpstreamEvents => (Down.WantsRead ? Input : 0) | (Up.WriteBlocked ? Output : 0);

    /// <summary>
    /// One of its sockets is ready (the event does not say for what: both are tried; a spare read
    /// answers "would block" at once). False when a side reset or failed.
    /// </summary>
    public bool OnReady(bool clientSide, long now)
    {
        var reading = clientSide ? Up : Down;
        var writing = clientSide ? Down : Up;
        writing.WriteBlocked = false;
        return !reading.WantsRead || reading.Read(now);
    }

    /// <summary>Writes what is due and says what happens next; <paramref name="nextTicks"/> is when to step it again.</summary>
    public ConnectionStep Step(long now, out long nextTicks)
    {
        nextTicks = long.MaxValue;
        Faults.Stalls?.Forget(now);
        if (now >= Faults.ResetAtTicks)
        {
            return ConnectionStep.Reset;
        }

        var upDue = Up.Write(now, ref _allowance, out var upOk);
        var downDue = Down.Write(now, ref _allowance, out var downOk);
        if (!upOk || !downOk)
        {
            return ConnectionStep.PeerFailed;
        }

        if (_allowance == 0)
        {
            return ConnectionStep.Reset;
        }

        if (Up.Finished && Down.Finished)
        {
            return ConnectionStep.Finished;
        }

        nextTicks = Math.Min(Math.Min(upDue, downDue), Faults.ResetAtTicks);
        return ConnectionStep.Open;
    }

    /// <summary>Closes both sockets; <paramref name="reset"/> sends RST (SO_LINGER 0) instead of FIN.</summary>
    public void Close(bool reset)
    {
        Up.Release();
        Down.Release();
        CloseSocket(Client, reset);
        CloseSocket(Upstream, reset);
    }

    /// <summary>Closes <paramref name="socket"/>; <paramref name="reset"/> sends RST (SO_LINGER 0) instead of FIN.</summary>
    public static void CloseSocket(Socket socket, bool reset)
    {
        try
        {
            if (reset)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
        }
        catch (SocketException)
        {
            // Already reset by the peer: closing is all that is left.
        }

        socket.Dispose();
    }
}

/// <summary>What a connection's step calls for.</summary>
internal enum ConnectionStep
{
    /// <summary>Still carrying data: watch its sockets, step it again when due.</summary>
    Open,

    /// <summary>Both sides closed and everything was delivered: close quietly.</summary>
    Finished,

    /// <summary>The profile resets it now: RST both ways.</summary>
    Reset,

    /// <summary>One side reset or failed: pass the reset on to the other.</summary>
    PeerFailed,
}
