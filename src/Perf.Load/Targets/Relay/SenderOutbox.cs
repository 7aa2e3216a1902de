using System.Collections.Concurrent;
using System.Diagnostics;

namespace Perf.Load.Targets.Relay;

/// <summary>
/// What a phone's outbox does when the relay refuses a message because its recipient's mailbox is
/// full: it keeps the sealed envelope and sends it again later, and holds the messages that come
/// after it (not yet sealed) until the relay has taken it. Without it a refused message is a gap
/// in the recipient's E2E chain, and once more than the session's skipped-key window is refused in
/// a row, every later message fails to open (<c>too_far_ahead</c>) although the relay delivered it.
/// A held message keeps its intended time, so its latency includes the wait in the outbox.
/// <para>
/// One per sending connection whose recipient reads slowly. The scheduler's thread sends, retries
/// and holds (<see cref="Pump"/>); the receive loop reports the relay's answers
/// (<see cref="OnRefused"/>, <see cref="OnAccepted"/>). Envelopes are kept in a ring of
/// <see cref="Window"/> slots, each allocated the first time it is used, so a run without
/// refusals pays only its messages in flight.
/// </para>
/// </summary>
public sealed class SenderOutbox
{
    /// <summary>Envelopes kept for a possible retry: the newest this many of the connection's messages.</summary>
    public const int Window = 256;

    /// <summary>Held messages sealed and sent per <see cref="Pump"/> once nothing refused is outstanding.</summary>
    public const int ReleasePerPump = 16;

    /// <summary>
    /// Held messages are released only while fewer than this many await their answers: the
    /// recipient's mailbox was full a moment ago, so a burst of releases would mostly come back
    /// refused (and each refusal is retried); this many per round trip still drains the outbox faster
    /// than a recipient that reads again takes messages in.
    /// </summary>
    public const int ReleaseInFlight = 32;

    // A kept envelope's state: sent and not refused (answered or not), refused and waiting for its
    // retry, or sent again and waiting for the answer.
    private const int Waiting = 0;
    private const int Refusal = 1;
    private const int Retried = 2;

    private static readonly long FirstBackoff = Stopwatch.Frequency / 10;
    private static readonly long MaxBackoff = Stopwatch.Frequency * 2;

    private readonly int _connections;
    private readonly byte[]?[] _envelopes = new byte[Window][];
    private readonly int[] _lengths = new int[Window];
    private readonly long[] _sequences = new long[Window];
    private readonly long[] _intended = new long[Window];
    private readonly bool[] _measured = new bool[Window];
    private readonly int[] _states = new int[Window];
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<RefusedMessage> _refused = new();
    private readonly List<RefusedMessage> _toRetry = [];
    private readonly Queue<HeldMessage> _held = new();
    private int _unresolved;
    private int _inFlight;
    private long _retryAt;
    private long _backoff = FirstBackoff;
    private bool _closed;

    /// <summary>Creates the outbox of a connection among <paramref name="connections"/> (its sequences step by that many).</summary>
    public SenderOutbox(int connections)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(connections);
        _connections = connections;
        Array.Fill(_sequences, -1);
    }

    /// <summary>Messages held unsealed behind a refusal (scheduler's thread).</summary>
    public int HeldCount => _held.Count;

    /// <summary>
    /// Whether the next message must wait in the outbox instead of going out now:
    /// something refused is outstanding (a slot that still keeps a refused envelope counts in it),
    /// older messages are held, or nearly a window of messages awaits its answer (sending more
    /// would reuse the slot of one that may yet be refused). Scheduler's thread.
    /// </summary>
    public bool MustHold() =>
        Volatile.Read(ref _unresolved) > 0 || _held.Count > 0 || Volatile.Read(ref _inFlight) >= Window - ReleasePerPump;

    /// <summary>Messages sent (or sent again) whose answer has not arrived.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Holds message <paramref name="sequence"/> unsealed, with its intended time, to be sent once the outbox clears. Scheduler's thread.</summary>
    public void Hold(long sequence, long intendedTicks, bool measured) => _held.Enqueue(new HeldMessage(sequence, intendedTicks, measured));

    /// <summary>Keeps the envelope of message <paramref name="sequence"/>, just sent, for a retry. Scheduler's thread.</summary>
    public void Remember(long sequence, ReadOnlySpan<byte> envelope, long intendedTicks, bool measured)
    {
        var slot = Slot(sequence);
        var kept = _envelopes[slot];
        if (kept is null || kept.Length < envelope.Length)
        {
            kept = _envelopes[slot] = new byte[envelope.Length];
        }

        envelope.CopyTo(kept);
        _lengths[slot] = envelope.Length;
        _intended[slot] = intendedTicks;
        _measured[slot] = measured;
        Interlocked.Increment(ref _inFlight);
        Volatile.Write(ref _sequences[slot], sequence); // last: the receive loop matches on it
    }

    /// <summary>
    /// The relay refused message <paramref name="sequence"/>. Returns <c>true</c> when the outbox
    /// keeps it for a retry; <c>false</c> when its envelope is no longer kept or the outbox has
    /// closed, and the caller counts it refused. Receive loop.
    /// </summary>
    public bool OnRefused(long sequence)
    {
        Interlocked.Decrement(ref _inFlight);
        var slot = Slot(sequence);
        lock (_gate)
        {
            if (_closed || Volatile.Read(ref _sequences[slot]) != sequence)
            {
                return false;
            }

            if (_states[slot] == Waiting)
            {
                _unresolved++;
            }

            Volatile.Write(ref _states[slot], Refusal);
            _refused.Enqueue(new RefusedMessage(sequence, _intended[slot], _measured[slot]));
            return true;
        }
    }

    /// <summary>The relay took message <paramref name="sequence"/>; a retried one no longer holds the outbox. Receive loop.</summary>
    public void OnAccepted(long sequence)
    {
        Interlocked.Decrement(ref _inFlight);
        var slot = Slot(sequence);
        if (Volatile.Read(ref _states[slot]) != Retried || Volatile.Read(ref _sequences[slot]) != sequence)
        {
            return;
        }

        lock (_gate)
        {
            if (_states[slot] == Retried && _sequences[slot] == sequence)
            {
                Volatile.Write(ref _states[slot], Waiting);
                _unresolved--;
            }
        }
    }

    /// <summary>
    /// The connection came back after leaving (churn): the answers to retries in flight left with
    /// the old connection, so those no longer hold the outbox (each was taken or is missing, as
    /// any message in flight when a client leaves). Receive loop, before the scheduler resumes.
    /// </summary>
    public void OnReconnected()
    {
        Volatile.Write(ref _inFlight, 0); // nothing is sent on the new connection before this returns
        lock (_gate)
        {
            for (var slot = 0; slot < Window; slot++)
            {
                if (_states[slot] == Retried)
                {
                    Volatile.Write(ref _states[slot], Waiting);
                    _unresolved--;
                }
            }
        }
    }

    /// <summary>
    /// Sends again what was refused, after a pause that doubles while refusals go on (100 ms to
    /// 2 s), and once nothing refused is outstanding, seals and sends up to
    /// <see cref="ReleasePerPump"/> held messages in order while fewer than
    /// <see cref="ReleaseInFlight"/> await their answers. Scheduler's thread.
    /// </summary>
    public void Pump(IOutboxSender sender)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var now = Stopwatch.GetTimestamp();
        while (_refused.TryDequeue(out var refused))
        {
            if (_toRetry.Count == 0)
            {
                _retryAt = now + _backoff;
            }

            _toRetry.Add(refused);
        }

        if (_toRetry.Count > 0)
        {
            if (now >= _retryAt)
            {
                Retry(sender, now);
            }

            return;
        }

        if (Volatile.Read(ref _unresolved) > 0)
        {
            return; // retries in flight: the held wait for their answers
        }

        _backoff = FirstBackoff;
        for (var i = 0; i < ReleasePerPump && Volatile.Read(ref _inFlight) < ReleaseInFlight && _held.TryDequeue(out var held); i++)
        {
            sender.Send(held.Sequence, held.IntendedTicks, held.Measured);
        }
    }

    /// <summary>
    /// Closes the outbox once the scheduler has stopped: every message still refused or held goes
    /// to <see cref="IOutboxSender.Dropped"/>, and a refusal that arrives later is the caller's to
    /// count (<see cref="OnRefused"/> returns <c>false</c>).
    /// </summary>
    /// <returns>How many of the messages given up were measured.</returns>
    public long Close(IOutboxSender sender)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var measured = 0L;
        lock (_gate)
        {
            _closed = true;
            while (_refused.TryDequeue(out var refused))
            {
                _toRetry.Add(refused);
            }

            foreach (var refused in _toRetry)
            {
                sender.Dropped(refused.Sequence, refused.IntendedTicks, refused.Measured);
                measured += refused.Measured ? 1 : 0;
            }

            _toRetry.Clear();
        }

        while (_held.TryDequeue(out var held))
        {
            sender.Dropped(held.Sequence, held.IntendedTicks, held.Measured);
            measured += held.Measured ? 1 : 0;
        }

        return measured;
    }

    private void Retry(IOutboxSender sender, long now)
    {
        foreach (var (sequence, intendedTicks, measured) in _toRetry)
        {
            var slot = Slot(sequence);
            if (Volatile.Read(ref _sequences[slot]) != sequence)
            {
                // A send that passed MustHold just before this refusal arrived reused the slot: the
                // envelope is gone, and the slot's new message was never refused.
                lock (_gate)
                {
                    _unresolved--;
                    Volatile.Write(ref _states[slot], Waiting);
                }

                sender.Dropped(sequence, intendedTicks, measured);
                continue;
            }

            Volatile.Write(ref _states[slot], Retried); // before the send: its answer may come at once
            Interlocked.Increment(ref _inFlight);
            sender.Resend(sequence, _envelopes[slot].AsSpan(0, _lengths[slot]));
        }

        _toRetry.Clear();
        _retryAt = now + _backoff;
        _backoff = Math.Min(_backoff * 2, MaxBackoff);
    }

    private int Slot(long sequence) => (int)((sequence / _connections) % Window);

    private readonly record struct HeldMessage(long Sequence, long IntendedTicks, bool Measured);

    private readonly record struct RefusedMessage(long Sequence, long IntendedTicks, bool Measured);
}

/// <summary>How a <see cref="SenderOutbox"/> puts messages on its connection.</summary>
public interface IOutboxSender
{
    /// <summary>Sends a kept envelope again under its own message id.</summary>
    void Resend(long sequence, ReadOnlySpan<byte> envelope);

    /// <summary>Seals and sends a held message (which the sender then <see cref="SenderOutbox.Remember"/>s).</summary>
    void Send(long sequence, long intendedTicks, bool measured);

    /// <summary>A message the outbox gives up (still refused or held when it closed), with its intended time: the caller counts it refused.</summary>
    void Dropped(long sequence, long intendedTicks, bool measured);
}
