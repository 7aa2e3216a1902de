using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Relay.Server.Limits;

/// <summary>
/// The relay's per-source limits on both listeners (docs/relay.md, "Abuse limits"): each source
/// address has a handshake budget (a token bucket of <see cref="RelayOptions.HandshakeBurstPerSource"/>
/// refilled at <see cref="RelayOptions.HandshakeRatePerSource"/> a second) that every new
/// connection draws on before the relay reads a byte of it, so a source over its budget costs no
/// Diffie-Hellman work. A handshake that finishes gives its token back unless the relay is busy:
/// a source pays only for handshakes it leaves unfinished (garbage, a first message and silence, a
/// timeout), which holds its unfinished handshakes to its budget too; a crowd of legitimate
/// clients behind one address reconnecting at once pays nothing. The relay is busy while
/// <see cref="RelayOptions.HandshakeBusyThreshold"/> handshakes are unfinished across all
/// sources: then finished handshakes count as well, and new ones get the shorter
/// <see cref="RelayOptions.BusyHandshakeTimeout"/>. Anonymous connections are capped per source.
/// Sources with nothing to remember are forgotten by <see cref="Sweep"/>.
/// </summary>
internal sealed class SourceLimits
{
    private readonly ConcurrentDictionary<SourceAddress, SourceState> _sources = new();
    private readonly RelayOptions _options;
    private readonly bool _unlimited;
    private int _unfinished;

    public SourceLimits(RelayOptions options)
    {
        _options = options;
        _unlimited = options.HandshakeRatePerSource <= 0;
    }

    /// <summary>Handshakes admitted and not yet finished, across all sources.</summary>
    public int Unfinished => Volatile.Read(ref _unfinished);

    /// <summary>Sources remembered now.</summary>
    public int Sources => _sources.Count;

    /// <summary>Whether the relay is busy with handshakes: finished ones are not given back, new ones get the short timeout.</summary>
    public bool IsBusy => Unfinished >= _options.HandshakeBusyThreshold;

    /// <summary>The source <paramref name="address"/> counts as.</summary>
    public SourceAddress SourceOf(IPAddress? address) => SourceAddress.Of(address, _options.SourcePrefixLengthIPv4, _options.SourcePrefixLengthIPv6);

    /// <summary>
    /// Admits a new connection's handshake if its source has budget left: returns its state (the
    /// handshake counted unfinished until <see cref="Finish"/> or <see cref="Abandon"/>), or <c>null</c> to refuse it.
    /// </summary>
    public SourceState? TryStartHandshake(SourceAddress source)
    {
        var now = Stopwatch.GetTimestamp();
        while (true)
        {
            var state = _sources.GetOrAdd(source, static (address, options) =>
                new SourceState(address, new TokenBucket(options.HandshakeRatePerSource, options.HandshakeBurstPerSource, Stopwatch.GetTimestamp())), _options);
            lock (state)
            {
                if (state.Removed)
                {
                    continue; // forgotten between the lookup and the lock: look again
                }

                if (!state.TryStartHandshake(now, _unlimited))
                {
                    return null;
                }
            }

            Interlocked.Increment(ref _unfinished);
            return state;
        }
    }

    /// <summary>The handshake finished; false when it is anonymous and its source is at the anonymous cap.</summary>
    public bool Finish(SourceState state, bool anonymous)
    {
        var refund = !IsBusy;
        bool admitted;
        lock (state)
        {
            admitted = state.FinishHandshake(refund, anonymous, _options.MaxAnonymousConnectionsPerSource);
        }

        Interlocked.Decrement(ref _unfinished);
        return admitted;
    }

    /// <summary>The handshake failed, timed out or was abandoned.</summary>
    public void Abandon(SourceState state)
    {
        lock (state)
        {
            state.AbandonHandshake();
        }

        Interlocked.Decrement(ref _unfinished);
    }

    /// <summary>An anonymous connection admitted by <see cref="Finish"/> closed.</summary>
    public static void CloseAnonymous(SourceState state)
    {
        lock (state)
        {
            state.CloseAnonymous();
        }
    }

    /// <summary>Forgets sources with no unfinished handshake, no anonymous connection and a full budget (the supervisor calls it every tick).</summary>
    public void Sweep()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var (address, state) in _sources)
        {
            lock (state)
            {
                if (state.TryRemove(now))
                {
                    _sources.TryRemove(new KeyValuePair<SourceAddress, SourceState>(address, state));
                }
            }
        }
    }
}
