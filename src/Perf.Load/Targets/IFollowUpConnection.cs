namespace Perf.Load.Targets;

/// <summary>
/// A connection that also sends follow-ups: messages whose intended time is set by what its
/// client received, not by the schedule (a chat client's delivery receipts and replies). The
/// scheduler writes each once its time has come, with a scheduled message's bookkeeping (a
/// sequence number, generator lag, the sent count, the hand-off time) and on its own thread, so a
/// connection still has one writer and follow-ups are measured exactly as scheduled messages are.
/// </summary>
public interface IFollowUpConnection : ILoadConnection
{
    /// <summary>The intended time (Stopwatch ticks) of the earliest follow-up queued, or <see cref="long.MaxValue"/>; queued from receive threads, read by the scheduling thread.</summary>
    long NextFollowUpTicks { get; }

    /// <summary>Writes the earliest queued follow-up as <see cref="ILoadConnection.Write"/> writes a message (no flush), under <paramref name="sequence"/>; returns its intended time.</summary>
    long WriteFollowUp(long sequence);
}
