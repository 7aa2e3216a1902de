using Microsoft.AspNetCore.Connections;

namespace Relay.Server.Connections;

/// <summary>
/// Kestrel connection middleware in front of both listeners: past <see cref="RelayOptions.MaxConnections"/>
/// open connections (TCP and WebSocket counted together) a new one is closed at once, before any
/// Noise or HTTP work, and counted in <c>relay.connections.refused</c>.
/// </summary>
internal static class ConnectionLimit
{
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(RelayState state) => next => async context =>
    {
        if (Interlocked.Increment(ref state.OpenConnections) > state.Options.MaxConnections)
        {
            Interlocked.Decrement(ref state.OpenConnections);
            state.Metrics.ConnectionsRefused.Add(1);
            context.Abort(new ConnectionAbortedException("over the relay's connection limit"));
            return;
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref state.OpenConnections);
        }
    };
}
