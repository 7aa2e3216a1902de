using System.Net;
using Perf.Load.Engine;

namespace Perf.Load.Idle;

/// <summary>
/// What holding messages for offline recipients costs the target (and its store): a few fresh
/// clients leave messages for recipients that never connect, ten each, and the target's (and the
/// store's) resident memory and the JetStream stream's bytes are read before and after. The
/// senders are opened before the first reading, so their own connections are not counted.
/// </summary>
public static class HeldMessageCost
{
    /// <summary>Clients that send the held messages.</summary>
    public const int Senders = 16;

    /// <summary>Held messages per offline recipient (a phone that was away for a while).</summary>
    public const int PerRecipient = 10;

    /// <summary>Sends <paramref name="messages"/> messages and reads what holding them cost.</summary>
    /// <param name="endPoint">The target's listener.</param>
    /// <param name="protocol">How the senders open (a protocol that <see cref="IdleProtocol.HoldsMessages"/>).</param>
    /// <param name="messages">Messages to leave.</param>
    /// <param name="envelopeSize">Bytes of each message's envelope (as the scenario's messages are sealed).</param>
    /// <param name="target">The target's process.</param>
    /// <param name="beside">The store's process (nats-server), or null.</param>
    /// <param name="stream">Reads the JetStream stream's bytes and messages, or null for a store without one.</param>
    /// <param name="cancellationToken">Stops the measurement.</param>
    /// <exception cref="IdleConnectionException">The senders could not open.</exception>
    public static async Task<HeldMessageMeasurement> MeasureAsync(IPEndPoint endPoint, IdleProtocol protocol, int messages, int envelopeSize, IProcessResources target, IProcessResources? beside, Func<CancellationToken, Task<StreamState?>>? stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var senders = Math.Clamp(messages, 1, Senders);
        await using var pool = new IdleConnectionPool(endPoint, protocol, senders, inFlight: senders);
        pool.KeepAlivePaused = true;
        if (await pool.OpenAsync(senders, null, cancellationToken).ConfigureAwait(false) == senders)
        {
            throw new IdleConnectionException($"no sender of held messages could connect: {pool.FirstError}");
        }

        await Task.Delay(IdleConnections.Settle, cancellationToken).ConfigureAwait(false);
        var (targetBefore, besideBefore) = (target.Sample(), beside?.Sample());
        var streamBefore = stream is null ? null : await stream(cancellationToken).ConfigureAwait(false);
        var accepted = await pool.SendHeldAsync(messages, PerRecipient, envelopeSize, cancellationToken).ConfigureAwait(false);
        await Task.Delay(IdleConnections.Settle, cancellationToken).ConfigureAwait(false);
        var (targetAfter, besideAfter) = (target.Sample(), beside?.Sample());
        var streamAfter = stream is null ? null : await stream(cancellationToken).ConfigureAwait(false);
        var held = Math.Max(1, accepted);
        double PerMessage(long before, long after) => Math.Max(0, after - before) / (double)held;
        return new HeldMessageMeasurement(
            accepted,
            PerMessage(targetBefore.ResidentBytes, targetAfter.ResidentBytes),
            besideBefore is { } b && besideAfter is { } a ? PerMessage(b.ResidentBytes, a.ResidentBytes) : null,
            streamBefore is { } s0 && streamAfter is { } s1 && s1.Messages > s0.Messages ? (s1.Bytes - s0.Bytes) / (double)(s1.Messages - s0.Messages) : null);
    }
}

/// <summary>A JetStream stream's size.</summary>
/// <param name="Bytes">Bytes it stores (one replica's).</param>
/// <param name="Messages">Messages it stores.</param>
public sealed record StreamState(long Bytes, long Messages);

/// <summary>What holding messages cost.</summary>
/// <param name="Accepted">Messages the target accepted (and holds).</param>
/// <param name="TargetBytesPerMessage">The target's resident-memory growth per held message.</param>
/// <param name="BesideBytesPerMessage">The store process's, when one was given.</param>
/// <param name="DiskBytesPerMessage">The stream's growth in bytes per message it gained, when it was read.</param>
public sealed record HeldMessageMeasurement(int Accepted, double TargetBytesPerMessage, double? BesideBytesPerMessage, double? DiskBytesPerMessage);
