using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks.Sources;

namespace Relay.Store.Nats.Requests;

/// <summary>
/// One reusable slot of <see cref="RequestSlots{T}"/>: a request sent to NATS and awaiting its
/// answer, awaited through a <see cref="ValueTask{TResult}"/> without allocating. The slot's reply
/// subject names it (<c>INBOX.slot.epoch</c>); the epoch changes whenever the slot is given up
/// without an answer (timeout, lost connection), so a late answer to an earlier use is ignored
/// instead of being taken for the current one's.
/// </summary>
/// <typeparam name="T">What the answer becomes.</typeparam>
internal sealed class RequestSlot<T> : IValueTaskSource<T>
{
    private const int Free = 0;
    private const int Waiting = 1;
    private const int Answered = 2;

    private readonly string _inbox;
    private readonly int _index;
    private ManualResetValueTaskSourceCore<T> _core; // continuations run where the answer is read: they must be short
    private int _state;
    private int _epoch;

    public RequestSlot(string inbox, int index)
    {
        _inbox = inbox;
        _index = index;
        ReplyTo = Subject();
    }

    /// <summary>Where the current request is answered.</summary>
    public string ReplyTo { get; private set; }

    /// <summary>The reservation number this slot holds (grows by the ring's size per reuse).</summary>
    public long Number { get; private set; } = -1;

    /// <summary>When the current request started (<see cref="Stopwatch"/> ticks).</summary>
    public long Started { get; private set; }

    /// <summary>Whether a request is waiting for its answer in this slot.</summary>
    public bool IsWaiting => Volatile.Read(ref _state) == Waiting;

    /// <summary>The awaitable for the current request.</summary>
    public ValueTask<T> Task => new(this, _core.Version);

    /// <summary>Takes the slot for request number <paramref name="number"/>; false while its previous request is still in use.</summary>
    public bool TryReserve(long number)
    {
        if (Interlocked.CompareExchange(ref _state, Waiting, Free) != Free)
        {
            return false;
        }

        _core.Reset();
        Number = number;
        Started = Stopwatch.GetTimestamp();
        return true;
    }

    /// <summary>Completes the request answered on epoch <paramref name="epoch"/>; false when that is not the current one (late, or a repeat).</summary>
    public bool TryAnswer(int epoch, T answer) =>
        epoch == Volatile.Read(ref _epoch) && Finish(answer, newEpoch: false);

    /// <summary>Gives the request up without an answer (timeout, connection lost) with <paramref name="outcome"/>; the slot's reply subject changes.</summary>
    public bool TryAbandon(T outcome) => Finish(outcome, newEpoch: true);

    /// <inheritdoc />
    public T GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            Volatile.Write(ref _state, Free);
        }
    }

    /// <inheritdoc />
    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc />
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private bool Finish(T outcome, bool newEpoch)
    {
        if (Interlocked.CompareExchange(ref _state, Answered, Waiting) != Waiting)
        {
            return false;
        }

        if (newEpoch)
        {
            Interlocked.Increment(ref _epoch);
            ReplyTo = Subject();
        }

        _core.SetResult(outcome);
        return true;
    }

    private string Subject() => string.Create(CultureInfo.InvariantCulture, $"{_inbox}.{_index}.{Volatile.Read(ref _epoch)}");
}
