using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Noise;

namespace Perf.Load.Hostile;

/// <summary>
/// A hostile client for <c>perf load --handshake-flood N</c>: from its own source address it opens
/// N connections a second that send garbage (64 random bytes, then wait up to
/// <see cref="HandshakeFloodOptions.GarbageHold"/> for the relay to close them) and N a second that
/// send a valid Noise XX first message and then go silent (until the relay closes them, or
/// <see cref="HandshakeFloodOptions.SilentHold"/>), and counts what each met: refused without a
/// byte, answered, neither. <c>perf load</c> runs it in a <c>perf flood</c> process of its own (as a
/// real attacker is another machine), apart from the generator's and the relay's; it paces itself
/// from one thread in batches of about a millisecond and holds
/// at most <see cref="HandshakeFloodOptions.MaxOpenSockets"/> sockets (attempts past that are
/// skipped and counted). Its own closes are resets, so its ports never linger in TIME_WAIT.
/// </summary>
public sealed class HandshakeFlood : IAsyncDisposable
{
    // Linux: IPPROTO_IP / IP_BIND_ADDRESS_NO_PORT (as the idle pool): bind the address, take the port at connect.
    private const int IpProtocolLevel = 0;
    private const int BindAddressNoPort = 24;
    private const int GarbageBytes = 64;
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    private readonly HandshakeFloodOptions _options;
    private readonly IPAddress? _source;
    private readonly byte[] _random = RandomNumberGenerator.GetBytes(64 * 1024);
    private readonly byte[][] _firstMessages;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Counter _garbage = new();
    private readonly Counter _abandoned = new();
    private readonly Thread _pacer;
    private long _started;
    private long _stopped;
    private int _running;

    private HandshakeFlood(HandshakeFloodOptions options)
    {
        _options = options;
        _source = options.Target.AddressFamily == AddressFamily.InterNetwork && IPAddress.IsLoopback(options.Target.Address) ? options.Source : null;
        _firstMessages = FirstMessages(64);
        _pacer = new Thread(Pace) { IsBackground = true, Name = "handshake flood" };
    }

    /// <summary>Starts flooding <see cref="HandshakeFloodOptions.Target"/>; <see cref="StopAsync"/> ends it.</summary>
    /// <exception cref="ArgumentException">The options are not usable (<see cref="HandshakeFloodOptions.Validate"/>).</exception>
    public static HandshakeFlood Start(HandshakeFloodOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        var flood = new HandshakeFlood(options);
        flood._started = Stopwatch.GetTimestamp();
        flood._pacer.Start();
        return flood;
    }

    /// <summary>Sockets the flood holds open now.</summary>
    public int OpenSockets => Volatile.Read(ref _running);

    /// <summary>Stops starting connections, resets those still open, waits for them to end, and returns the counts.</summary>
    public async Task<HandshakeFloodResult> StopAsync()
    {
        if (Interlocked.CompareExchange(ref _stopped, Stopwatch.GetTimestamp(), 0) == 0)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            _pacer.Join();
            foreach (var (socket, _) in _open)
            {
                socket.Dispose();
            }

            var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
            while (Volatile.Read(ref _running) > 0 && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(10).ConfigureAwait(false);
            }
        }

        return new HandshakeFloodResult(
            _options.RatePerSecond,
            _options.Kinds,
            _source?.ToString() ?? "system",
            Stopwatch.GetElapsedTime(_started, Volatile.Read(ref _stopped)).TotalSeconds,
            _garbage.Snapshot(),
            _abandoned.Snapshot());
    }

    /// <summary>Stops the flood if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    // The pacing thread: every tick, starts the connections due since the start, of each kind.
    private void Pace()
    {
        var garbage = _options.Kinds != HandshakeFloodKinds.Abandoned;
        var abandoned = _options.Kinds != HandshakeFloodKinds.Garbage;
        long launched = 0;
        while (!_stop.IsCancellationRequested)
        {
            var due = (long)(Stopwatch.GetElapsedTime(_started).TotalSeconds * _options.RatePerSecond);
            for (; launched < due; launched++)
            {
                if (garbage)
                {
                    Launch(garbage: true, _garbage);
                }

                if (abandoned)
                {
                    Launch(garbage: false, _abandoned);
                }
            }

            _stop.Token.WaitHandle.WaitOne(Tick);
        }
    }

    private void Launch(bool garbage, Counter counter)
    {
        Interlocked.Increment(ref counter.Attempted);
        if (Interlocked.Increment(ref _running) > _options.MaxOpenSockets)
        {
            Interlocked.Decrement(ref _running);
            Interlocked.Decrement(ref counter.Attempted);
            Interlocked.Increment(ref counter.Skipped);
            return;
        }

        _ = RunAsync(garbage, counter);
    }

    // One flood connection, from connect to close; each ends in exactly one of the counter's outcomes.
    private async Task RunAsync(bool garbage, Counter counter)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, LingerState = new LingerOption(true, 0) };
        _open.TryAdd(socket, 0);
        var buffer = ArrayPool<byte>.Shared.Rent(256);
        using var hold = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var connected = false;
        var answered = false;
        try
        {
            if (_source is not null)
            {
                if (OperatingSystem.IsLinux())
                {
                    socket.SetRawSocketOption(IpProtocolLevel, BindAddressNoPort, BitConverter.GetBytes(1));
                }

                socket.Bind(new IPEndPoint(_source, 0));
            }

            hold.CancelAfter(_options.ConnectTimeout);
            await socket.ConnectAsync(_options.Target, hold.Token).ConfigureAwait(false);
            connected = true;
            hold.CancelAfter(garbage ? _options.GarbageHold : _options.SilentHold);
            await socket.SendAsync(garbage ? Garbage() : _firstMessages[Random.Shared.Next(_firstMessages.Length)], SocketFlags.None, hold.Token).ConfigureAwait(false);
            if (await socket.ReceiveAsync(buffer, SocketFlags.None, hold.Token).ConfigureAwait(false) == 0)
            {
                Interlocked.Increment(ref counter.Refused);
                return;
            }

            answered = true;
            Interlocked.Increment(ref counter.Answered);
            // Say nothing more until the relay gives up on the handshake (or the hold ends).
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, hold.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown or SocketError.ConnectionRefused)
        {
            // A reset before any answer (even one that meets the connect, or answers the SYN itself,
            // as a firewall's per-source limit does) is a refusal; after one, the relay's end of the handshake.
            if (!answered)
            {
                Interlocked.Increment(ref counter.Refused);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Not connected within the connect timeout (the relay's accept queue full) or an error: failed;
            // connected but the hold ended, or the flood stopped under it: unanswered.
            if (!answered)
            {
                var gaveUp = _stop.IsCancellationRequested || (connected && ex is OperationCanceledException);
                Interlocked.Increment(ref gaveUp ? ref counter.Unanswered : ref counter.Failed);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _open.TryRemove(socket, out _);
            socket.Dispose();
            Interlocked.Decrement(ref _running);
        }
    }

    private ReadOnlyMemory<byte> Garbage() => _random.AsMemory(Random.Shared.Next(_random.Length - GarbageBytes), GarbageBytes);

    // Real XX first messages (a fresh ephemeral key each, an empty payload, framed for TCP); the
    // flood cycles through a few, as a cheap attacker replays one: the relay cannot tell.
    private static byte[][] FirstMessages(int count)
    {
        var messages = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            using var key = X25519KeyPair.Generate();
            using var handshake = new HandshakeState(NoiseProtocol.XxAesGcm, initiator: true, "relay/1"u8, key, default, AeadBackend.Auto);
            var message = new byte[2 + handshake.MaxMessageSize(0)];
            var length = handshake.WriteMessage(default, message.AsSpan(2));
            message[0] = (byte)(length >> 8);
            message[1] = (byte)length;
            messages[i] = message[..(2 + length)];
        }

        return messages;
    }

    private sealed class Counter
    {
        public long Attempted;
        public long Refused;
        public long Answered;
        public long Unanswered;
        public long Failed;
        public long Skipped;

        public HandshakeFloodCounts Snapshot() => new(
            Interlocked.Read(ref Attempted), Interlocked.Read(ref Refused), Interlocked.Read(ref Answered),
            Interlocked.Read(ref Unanswered), Interlocked.Read(ref Failed), Interlocked.Read(ref Skipped));
    }
}
