using System.Net;
using Microsoft.AspNetCore.Connections;
using Relay.Server.Logging;

namespace Relay.Server.Limits;

/// <summary>
/// Kestrel connection middleware in front of both listeners, run before any byte of a connection
/// is read: past <see cref="RelayOptions.MaxConnections"/> open connections (TCP and WebSocket
/// counted together), or when the connection's source address has spent its handshake budget
/// (<see cref="SourceLimits"/>), the connection is closed at once, so a refused connection costs
/// no Noise or HTTP work. An admitted one carries a <see cref="HandshakeTicket"/> as a connection
/// feature until it closes; if the relay was busy when it arrived, its handshake must finish
/// within <see cref="RelayOptions.BusyHandshakeTimeout"/>. The Noise handler and the WebSocket
/// endpoint log how each handshake ended; on the WebSocket listener a connection that closes
/// before a whole HTTP request arrived is logged here.
/// </summary>
internal static class ConnectionAdmission
{
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(RelayState state, bool webSocketListener) => next => async context =>
    {
        var source = state.Sources.SourceOf((context.RemoteEndPoint as IPEndPoint)?.Address);
        if (Interlocked.Increment(ref state.OpenConnections) > state.Options.MaxConnections)
        {
            Interlocked.Decrement(ref state.OpenConnections);
            Refuse(state, context, CloseReason.ConnectionLimit, source);
            return;
        }

        try
        {
            if (state.Sources.TryStartHandshake(source) is not { } sourceState)
            {
                Refuse(state, context, CloseReason.HandshakeRate, source);
                return;
            }

            state.Metrics.HandshakesStarted.Add(1);
            var ticket = new HandshakeTicket(state.Sources, sourceState);
            context.Features.Set(ticket);
            using var busyTimeout = state.Sources.IsBusy ? ticket.AbortUnlessFinishedWithin(context, state.Options.BusyHandshakeTimeout) : null;
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                if (ticket.Release() && webSocketListener && !ticket.RequestSeen)
                {
                    state.CloseLog.Closed(ticket.TimedOut ? CloseReason.HandshakeTimeout : CloseReason.UpgradeAbandoned, context.ConnectionId, source);
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref state.OpenConnections);
        }
    };

    private static void Refuse(RelayState state, ConnectionContext context, CloseReason reason, SourceAddress source)
    {
        state.CloseLog.Closed(reason, context.ConnectionId, source);
        context.Abort(new ConnectionAbortedException(CloseReasons.Describe(reason).Description));
    }
}
