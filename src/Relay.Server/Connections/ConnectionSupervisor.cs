using System.Collections.Concurrent;
using Relay.Protocol.Routing;
using Relay.Server.Metrics;

namespace Relay.Server.Connections;

/// <summary>
/// Watches the relay's authenticated connections from one timer, as Kestrel's heartbeat does:
/// closes those idle past the idle timeout, tells every one to drain when the relay stops, has
/// the router expire old messages and forget unused mailboxes (and the relay forget delivery-token
/// verifiers past their lifetime), forgets source addresses the
/// per-source limits no longer need, and lets the close log write its summary of a second whose
/// lines ran out. One timer for all connections, none per connection.
/// </summary>
internal sealed class ConnectionSupervisor : IDisposable
{
    private readonly ConcurrentDictionary<RelayConnection, byte> _connections = new();
    private readonly RelayState _state;
    private readonly RelayRouter _router;
    private readonly RelayMetrics _metrics;
    private readonly long _idleMilliseconds;
    private readonly long _sweepMilliseconds;
    private readonly Timer _timer;
    private long _lastSweep = Environment.TickCount64;
    private volatile bool _stopping;

    public ConnectionSupervisor(RelayState state)
    {
        _state = state;
        _router = state.Router;
        _metrics = state.Metrics;
        var options = state.Options;
        _idleMilliseconds = (long)options.IdleTimeout.TotalMilliseconds;
        _sweepMilliseconds = (long)options.SweepInterval.TotalMilliseconds;
        // Idle connections are found within a third of the timeout (at most a second late).
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(_idleMilliseconds / 3, 50, 1000));
        _timer = new Timer(_ => Tick(), null, tick, tick);
    }

    public int Count => _connections.Count;

    /// <summary>Watches <paramref name="connection"/>; one that arrives while the relay stops drains at once.</summary>
    public void Register(RelayConnection connection)
    {
        _connections.TryAdd(connection, 0);
        if (_stopping)
        {
            connection.BeginDrain();
        }
    }

    public void Unregister(RelayConnection connection) => _connections.TryRemove(connection, out _);

    /// <summary>The relay is stopping: every connection processes what it already received, answers, and closes.</summary>
    public void BeginShutdown()
    {
        _stopping = true;
        foreach (var connection in _connections.Keys)
        {
            connection.BeginDrain();
        }
    }

    public void Dispose() => _timer.Dispose();

    // Enumerates the dictionary itself, not its Keys: Keys takes every lock of the dictionary and
    // copies all keys into a new list, each tick (80 KB a second with 10,000 connections, 800 KB,
    // on the large-object heap, with 100,000), and that garbage was what collections found to do.
    private void Tick()
    {
        var now = Environment.TickCount64;
        foreach (var (connection, _) in _connections)
        {
            if (now - connection.LastFrameAt >= _idleMilliseconds && connection.CloseIdle())
            {
                _metrics.IdleClosed.Add(1);
            }
        }

        if (now - _lastSweep >= _sweepMilliseconds)
        {
            _lastSweep = now;
            _metrics.Expired.Add(_router.Sweep());
            _state.Metadata.Sweep(); // delivery-token verifiers past their lifetime
        }

        _state.Sources.Sweep();
        _state.CloseLog?.Flush();
    }
}
