using HdrHistogram;

namespace Perf.Load.Recording;

/// <summary>
/// The measured messages split by the class of their recipient — a slow consumer or anyone
/// else — so that a run with slow consumers reports their latency and delivery apart from the
/// others'. The class belongs to the sending connection's pair (the runner numbers message
/// <c>s</c> of connection <c>c</c> so that <c>s mod connections = c</c>), so a delivery, a send and
/// a refusal each find it from the sender alone. Counting is an interlocked add and one histogram
/// record per message, only in runs that have slow consumers.
/// </summary>
public sealed class RecipientClasses
{
    private readonly bool[] _toSlow;
    private readonly Figures _slow = new();
    private readonly Figures _others = new();

    /// <summary>Creates the split for <paramref name="connections"/> sending connections, every one sending to an ordinary recipient until <see cref="MarkSendsToSlowConsumer"/>.</summary>
    public RecipientClasses(int connections)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(connections);
        _toSlow = new bool[connections];
    }

    /// <summary>Notes that connection <paramref name="sender"/>'s recipient is a slow consumer (before the run).</summary>
    public void MarkSendsToSlowConsumer(int sender) => _toSlow[sender] = true;

    /// <summary>Recipients that are slow consumers (senders marked).</summary>
    public int SlowRecipients
    {
        get
        {
            var count = 0;
            foreach (var slow in _toSlow)
            {
                count += slow ? 1 : 0;
            }

            return count;
        }
    }

    /// <summary>The figures of messages to slow consumers.</summary>
    public Figures Slow => _slow;

    /// <summary>The figures of messages to everyone else.</summary>
    public Figures Others => _others;

    /// <summary>Counts a measured message sent by <paramref name="sender"/>.</summary>
    public void CountSent(int sender) => Interlocked.Increment(ref Of(sender)._sent);

    /// <summary>Counts the refusal of a measured message of <paramref name="sender"/>.</summary>
    public void CountRejected(int sender) => Interlocked.Increment(ref Of(sender)._rejected);

    /// <summary>Counts an envelope <paramref name="sender"/>'s outbox sent again after a refusal.</summary>
    public void CountResent(int sender) => Interlocked.Increment(ref Of(sender)._resent);

    /// <summary>Counts <paramref name="count"/> measured messages <paramref name="sender"/>'s outbox still held when the scheduler stopped (each counted refused too).</summary>
    public void CountHeldBySender(int sender, long count) => Interlocked.Add(ref Of(sender)._heldBySender, count);

    /// <summary>Counts the first delivery of measured message <paramref name="sequence"/> and its end-to-end latency.</summary>
    public void CountDelivered(long sequence, long endToEndMicroseconds)
    {
        var figures = SendsToSlowConsumer(sequence) ? _slow : _others;
        Interlocked.Increment(ref figures._delivered);
        figures.EndToEnd.RecordValue(Math.Clamp(endToEndMicroseconds, 1, LoadRecorders.HighestTrackableMicroseconds));
    }

    /// <summary>Whether measured message <paramref name="sequence"/> goes to a slow consumer.</summary>
    public bool SendsToSlowConsumer(long sequence) => _toSlow[(int)(sequence % _toSlow.Length)];

    private Figures Of(int sender) => _toSlow[sender] ? _slow : _others;

    /// <summary>One class's counts and latency (microseconds).</summary>
    public sealed class Figures
    {
        internal long _sent;
        internal long _delivered;
        internal long _rejected;
        internal long _resent;
        internal long _heldBySender;

        /// <summary>Measured messages sent to the class.</summary>
        public long Sent => Volatile.Read(ref _sent);

        /// <summary>Of those, delivered.</summary>
        public long Delivered => Volatile.Read(ref _delivered);

        /// <summary>Of those, refused.</summary>
        public long Rejected => Volatile.Read(ref _rejected);

        /// <summary>Envelopes sent again after the relay refused them (any message, measured or not).</summary>
        public long Resent => Volatile.Read(ref _resent);

        /// <summary>Of the refused, those still in their sender's outbox when the scheduler stopped.</summary>
        public long HeldBySender => Volatile.Read(ref _heldBySender);

        /// <summary>Neither delivered nor refused (yet).</summary>
        public long Undelivered => Math.Max(0, Sent - Delivered - Rejected);

        /// <summary>End-to-end latency of the deliveries, µs.</summary>
        public HistogramBase EndToEnd { get; } = new LongConcurrentHistogram(1, LoadRecorders.HighestTrackableMicroseconds, LoadRecorders.SignificantDigits);
    }
}
