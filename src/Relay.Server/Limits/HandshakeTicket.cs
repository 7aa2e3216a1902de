using Microsoft.AspNetCore.Connections;

namespace Relay.Server.Limits;

/// <summary>
/// A connection's place in its source's limits, from its arrival until it closes (a connection
/// feature, so the Noise handler and the WebSocket endpoint find it): the handshake is unfinished
/// until <see cref="Finish"/>; <see cref="Release"/>, when the connection ends, abandons a
/// handshake that never finished and frees an anonymous connection's slot.
/// </summary>
internal sealed class HandshakeTicket(SourceLimits limits, SourceState state)
{
    private int _finished;
    private bool _anonymous;
    private volatile bool _timedOut;
    private volatile bool _requestSeen;

    /// <summary>The source the connection counts against.</summary>
    public SourceAddress Source => state.Address;

    /// <summary>Whether the busy-time handshake timeout closed the connection.</summary>
    public bool TimedOut => _timedOut;

    /// <summary>Whether a whole HTTP request arrived on it (WebSocket listener): one that failed was logged where it was answered.</summary>
    public bool RequestSeen => _requestSeen;

    /// <summary>Notes that a whole HTTP request arrived.</summary>
    public void RequestArrived() => _requestSeen = true;

    /// <summary>
    /// The handshake (Noise, or the WebSocket upgrade) finished; an <paramref name="anonymous"/>
    /// connection takes one of its source's anonymous slots. False when that cap refused it.
    /// </summary>
    public bool Finish(bool anonymous)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return true; // a second upgrade on one connection cannot happen; nothing to count twice
        }

        var admitted = limits.Finish(state, anonymous);
        _anonymous = anonymous && admitted;
        return admitted;
    }

    /// <summary>The connection ended: a handshake still unfinished was abandoned (returns true); an anonymous slot is freed.</summary>
    public bool Release()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0)
        {
            limits.Abandon(state);
            return true;
        }

        if (_anonymous)
        {
            SourceLimits.CloseAnonymous(state);
        }

        return false;
    }

    /// <summary>
    /// Closes <paramref name="connection"/> if its handshake has not finished within
    /// <paramref name="timeout"/> (the busy relay's shorter handshake timeout); dispose the result
    /// when the connection ends.
    /// </summary>
    public IDisposable AbortUnlessFinishedWithin(ConnectionContext connection, TimeSpan timeout)
    {
        var timer = new CancellationTokenSource(timeout);
        timer.Token.UnsafeRegister(static s =>
        {
            var (ticket, connection) = ((HandshakeTicket, ConnectionContext))s!;
            if (Volatile.Read(ref ticket._finished) == 0)
            {
                ticket._timedOut = true;
                connection.Abort(new ConnectionAbortedException("the handshake did not finish within the busy relay's timeout"));
            }
        }, (this, connection));
        return timer;
    }
}
