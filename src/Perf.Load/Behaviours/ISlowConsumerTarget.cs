namespace Perf.Load.Behaviours;

/// <summary>
/// A target whose recipients can read slowly (<see cref="ClientBehaviours.SlowConsumerPercent"/>)
/// and can be told, after the measured window, to read at full speed and acknowledge what they
/// read, so that what the relay held for them is delivered before the run counts its losses.
/// </summary>
public interface ISlowConsumerTarget
{
    /// <summary>
    /// The scheduler has stopped: each sender to a slow consumer gives up what its outbox still
    /// holds (refused by the full mailbox and not yet taken, or held behind such a message), and
    /// those count as refused. Called once, before <see cref="CatchUpAsync"/>.
    /// </summary>
    void CloseOutboxes();

    /// <summary>
    /// Lifts every slow consumer's read limit (and that of any reconnection still to come), then
    /// sends the acknowledgements of what arrives, every few milliseconds, until
    /// <paramref name="done"/> says everything is accounted for, <paramref name="timeout"/> passes or
    /// <paramref name="cancellationToken"/> ends it. Runs after the scheduler has stopped writing:
    /// it is then the connections' only writer.
    /// </summary>
    /// <returns>How long it ran, and whether <paramref name="done"/> was reached.</returns>
    Task<SlowConsumerCatchUp> CatchUpAsync(Func<bool> done, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>How the slow consumers' catch-up after the measured window went.</summary>
/// <param name="Seconds">How long it ran.</param>
/// <param name="Completed">Whether every measured message was delivered or refused by its end.</param>
/// <param name="Delivered">Measured messages delivered during it (the relay held them until the consumers read at full speed).</param>
public sealed record SlowConsumerCatchUp(double Seconds, bool Completed, long Delivered);
