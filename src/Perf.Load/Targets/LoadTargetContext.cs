using System.Diagnostics;
using Perf.Load.Behaviours;
using Perf.Load.Recording;

namespace Perf.Load.Targets;

/// <summary>
/// What a target reports to: each message's hand-off time is kept in a ring indexed by
/// sequence number, so an arrival can be turned into forwarding and end-to-end latency without
/// allocating, and a second arrival of the same message is counted as a duplicate. Messages
/// whose intended time falls in the warm-up go to <see cref="WarmupRecorders"/>, which nothing
/// reports: the warm-up runs the very code the measured window runs, so that code is compiled and
/// in the caches before the window opens.
/// </summary>
public sealed class LoadTargetContext
{
    // 2^20 slots: a message is matched to its hand-off time while fewer than a million newer
    // messages have been sent since; older arrivals still count, without a forward time.
    private const int RingBits = 20;
    private const int RingMask = (1 << RingBits) - 1;

    private readonly long[] _ringSequence = new long[1 << RingBits];
    private readonly long[] _ringHandOffTicks = new long[1 << RingBits];
    private readonly ManualResetEventSlim _followUpQueued = new(false, 0);
    private long _measureStartTicks = long.MaxValue;

    /// <summary>Creates a context for <paramref name="connections"/> connections recording into <paramref name="recorders"/>.</summary>
    public LoadTargetContext(int connections, int messageSize, LoadRecorders recorders)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(connections);
        Connections = connections;
        MessageSize = messageSize;
        Recorders = recorders;
        WarmupRecorders = new LoadRecorders();
        Array.Fill(_ringSequence, -1);
    }

    /// <summary>How many connections the target opens.</summary>
    public int Connections { get; }

    /// <summary>Plaintext size of every message.</summary>
    public int MessageSize { get; }

    /// <summary>Where latencies and counts of the measured window go.</summary>
    public LoadRecorders Recorders { get; }

    /// <summary>
    /// Where the warm-up's latencies and counts go, to be discarded. Without them the recording
    /// code (histograms, counters) first ran, and was compiled, as the window opened, beside the
    /// threads being measured.
    /// </summary>
    public LoadRecorders WarmupRecorders { get; }

    /// <summary>How the clients behave beside sending (slow consumers are applied by the target as it connects).</summary>
    public ClientBehaviours Behaviours { get; init; } = ClientBehaviours.None;

    /// <summary>The per-minute series the measured messages are also counted in, or <c>null</c>.</summary>
    public LoadSeries? Series { get; init; }

    /// <summary>The split of measured messages by recipient class (slow consumers or not), or <c>null</c> when no recipient is slow.</summary>
    public RecipientClasses? RecipientClasses { get; init; }

    /// <summary>The recorders a message reports to: the measured window's, or the warm-up's when <paramref name="measured"/> is false.</summary>
    public LoadRecorders RecordersFor(bool measured) => measured ? Recorders : WarmupRecorders;

    /// <summary>The first intended time that is measured; earlier messages are warm-up.</summary>
    public long MeasureStartTicks
    {
        get => Volatile.Read(ref _measureStartTicks);
        set => Volatile.Write(ref _measureStartTicks, value);
    }

    /// <summary>Whether a message intended at <paramref name="intendedTicks"/> is in the measured window.</summary>
    public bool IsMeasured(long intendedTicks) => intendedTicks >= MeasureStartTicks;

    /// <summary>Counts a message connection <paramref name="sender"/> sends, intended at <paramref name="intendedTicks"/>: in the warm-up's or the measured window's recorders, and, when measured, in the series and the recipient classes.</summary>
    public void CountSent(int sender, long intendedTicks, bool measured)
    {
        RecordersFor(measured).CountSent();
        if (measured)
        {
            Series?.CountSent(intendedTicks);
            RecipientClasses?.CountSent(sender);
        }
    }

    /// <summary>Notes that message <paramref name="sequence"/> was handed to the transport at <paramref name="handOffTicks"/> (flush issued).</summary>
    public void HandedOff(long sequence, long handOffTicks)
    {
        var slot = (int)(sequence & RingMask);
        Volatile.Write(ref _ringHandOffTicks[slot], handOffTicks);
        Volatile.Write(ref _ringSequence[slot], sequence);
    }

    /// <summary>
    /// Reports an arrival: the payload's header gives sequence and intended time;
    /// <paramref name="receivedTicks"/> is when the frame arrived, <paramref name="openedTicks"/>
    /// when its plaintext was available (equal where there is no E2E open).
    /// </summary>
    public void Delivered(ReadOnlySpan<byte> payload, long receivedTicks, long openedTicks)
    {
        if (!LoadPayload.TryRead(payload, out var sequence, out var intendedTicks))
        {
            Recorders.CountError(UnreadablePayload);
            return;
        }

        var slot = (int)(sequence & RingMask);
        var handOffTicks = Volatile.Read(ref _ringHandOffTicks[slot]);
        var firstArrival = true;
        if (Volatile.Read(ref _ringSequence[slot]) == sequence)
        {
            // Mark the slot delivered (~sequence); a second arrival finds it marked.
            firstArrival = Interlocked.CompareExchange(ref _ringSequence[slot], ~sequence, sequence) == sequence;
        }
        else if (Volatile.Read(ref _ringSequence[slot]) == ~sequence)
        {
            firstArrival = false;
        }
        else
        {
            handOffTicks = 0;
        }

        var recorders = RecordersFor(IsMeasured(intendedTicks));
        if (!firstArrival)
        {
            recorders.CountDuplicate();
            return;
        }

        recorders.CountDelivered();
        if (handOffTicks != 0)
        {
            recorders.Record(LoadStage.Forward, receivedTicks - handOffTicks);
        }

        if (openedTicks != receivedTicks)
        {
            recorders.Record(LoadStage.Open, openedTicks - receivedTicks);
        }

        // A slow consumer's latency grows with its backlog by design: it is reported apart (its
        // class), so the run's end-to-end figures and series are the ordinary clients'.
        if (RecipientClasses is not { } classes || !classes.SendsToSlowConsumer(sequence))
        {
            recorders.Record(LoadStage.EndToEnd, openedTicks - intendedTicks);
        }

        if (recorders == Recorders)
        {
            Series?.CountDelivered(intendedTicks);
            RecipientClasses?.CountDelivered(sequence, (openedTicks - intendedTicks) * 1_000_000 / Stopwatch.Frequency);
        }
    }

    /// <summary>Records a seal measured by the sender, into the measured window's recorders or, for a warm-up message, the warm-up's.</summary>
    public void Sealed(long startTicks, long endTicks, bool measured) => RecordersFor(measured).Record(LoadStage.Seal, endTicks - startTicks);

    /// <summary>Reports that the target confirmed holding a measured message.</summary>
    public void Accepted() => Recorders.CountAccepted();

    /// <summary>Reports that the target refused a measured message.</summary>
    public void Rejected()
    {
        Recorders.CountRejected();
        Series?.CountRejected(Now());
    }

    /// <summary>Reports that the target refused a measured message of connection <paramref name="sender"/> (counted in its recipient's class too).</summary>
    public void Rejected(int sender) => Rejected(sender, Now());

    /// <summary>
    /// Reports that a measured message of connection <paramref name="sender"/> was refused, counted
    /// in the series at <paramref name="seriesTicks"/>: when the refusal arrived, or, for one its
    /// sender's outbox gave up at the end of the window, its intended time (where it was counted
    /// sent), not the last interval.
    /// </summary>
    public void Rejected(int sender, long seriesTicks)
    {
        Recorders.CountRejected();
        Series?.CountRejected(seriesTicks);
        RecipientClasses?.CountRejected(sender);
    }

    /// <summary>The reason of an arrival whose payload (sequence and intended time) could not be read.</summary>
    public const string UnreadablePayload = "unreadable_payload";

    /// <summary>Reports an arrival that could not be opened or parsed, and why (a short snake_case name).</summary>
    public void Error(string reason = UnreadablePayload) => Recorders.CountError(reason);

    /// <summary>Wakes the scheduler: a follow-up (<see cref="IFollowUpConnection"/>) was queued, so it need not poll for them.</summary>
    public void FollowUpQueued() => _followUpQueued.Set();

    /// <summary>The scheduler's wait for a follow-up to be queued, up to <paramref name="timeout"/> (a millisecond-grained wait: the scheduler wakes early enough for its next scheduled send).</summary>
    internal void WaitForFollowUp(TimeSpan timeout)
    {
        _followUpQueued.Wait(timeout);
        _followUpQueued.Reset();
    }

    /// <summary>The current Stopwatch timestamp (the clock every tick value here uses).</summary>
    public static long Now() => Stopwatch.GetTimestamp();
}
