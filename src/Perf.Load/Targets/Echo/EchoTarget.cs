using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Perf.Load.Net;

namespace Perf.Load.Targets.Echo;

/// <summary>
/// Drives an echo server (<c>perf echo</c>, or any byte echo): each connection sends
/// length-prefixed messages (4 bytes little-endian, then the payload, no E2E) and receives them
/// back. The framing is the client's alone: the server copies bytes blindly. The client is the
/// generator's leanest path (<see cref="DirectSockets"/>: the scheduling thread sends and, while
/// it waits, receives), so this target measures the floor of the generator, the sockets and the
/// server together.
/// </summary>
public sealed class EchoTarget : ILoadTarget, ICallerPumpedTarget
{
    private const int LengthPrefix = 4;

    private readonly EndPoint _endPoint;
    private readonly List<Socket> _open = [];
    private DirectSockets? _direct;

    /// <summary>Creates a target for the echo server at <paramref name="endPoint"/>.</summary>
    public EchoTarget(EndPoint endPoint)
    {
        _endPoint = endPoint ?? throw new ArgumentNullException(nameof(endPoint));
    }

    /// <inheritdoc />
    public string Name => "echo";

    /// <inheritdoc />
    public DirectSockets? Sockets => _direct;

    /// <inheritdoc />
    public LoadStages Stages => LoadStages.None;

    /// <inheritdoc />
    public async Task<IReadOnlyList<ILoadConnection>> ConnectAsync(LoadTargetContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _direct = new DirectSockets(context.Connections);
        var connections = new ILoadConnection[context.Connections];
        for (var i = 0; i < connections.Length; i++)
        {
            Socket socket;
            try
            {
                socket = await DirectSockets.ConnectAsync(_endPoint, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or TimeoutException)
            {
                throw new LoadTargetException($"cannot connect to echo://{_endPoint}: {(ex as SocketException)?.SocketErrorCode.ToString() ?? "no answer in 10 s"}. Start one with `perf echo --listen {_endPoint}`, or use the bare name `echo` to start one.", ex);
            }

            _open.Add(socket);
            var payload = new byte[context.MessageSize];
            new Random(i).NextBytes(payload);
            connections[i] = new EchoConnection(_direct.Add(socket, new EchoReceiver(context)), payload);
        }

        _direct.Start();
        return connections;
    }

    /// <summary>Stops receiving and closes every connection.</summary>
    public ValueTask DisposeAsync()
    {
        _direct?.Dispose();
        foreach (var socket in _open)
        {
            socket.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    // Reassembles length-prefixed messages from whatever the socket hands over, on the receive thread.
    private sealed class EchoReceiver(LoadTargetContext context) : IDirectReceiver
    {
        private readonly byte[] _pending = new byte[LengthPrefix + context.MessageSize];
        private int _pendingLength;

        public void Received(ReadOnlySpan<byte> data)
        {
            var received = LoadTargetContext.Now();
            while (!data.IsEmpty)
            {
                if (_pendingLength == 0 && data.Length >= LengthPrefix && data.Length >= LengthPrefix + Length(data))
                {
                    // The whole message is here: no copy.
                    var length = Length(data);
                    context.Delivered(data.Slice(LengthPrefix, length), received, received);
                    data = data[(LengthPrefix + length)..];
                    continue;
                }

                var take = Math.Min(data.Length, Needed());
                data[..take].CopyTo(_pending.AsSpan(_pendingLength));
                _pendingLength += take;
                data = data[take..];
                if (_pendingLength >= LengthPrefix && _pendingLength == LengthPrefix + Length(_pending))
                {
                    context.Delivered(_pending.AsSpan(LengthPrefix, _pendingLength - LengthPrefix), received, received);
                    _pendingLength = 0;
                }
            }
        }

        public void Closed()
        {
        }

        // What the partial message still lacks: its prefix first, then its body.
        private int Needed() => _pendingLength < LengthPrefix ? LengthPrefix - _pendingLength : LengthPrefix + Length(_pending) - _pendingLength;

        private int Length(ReadOnlySpan<byte> prefixed)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(prefixed);
            // Only this client frames the stream, so a bad length means the stream is corrupt.
            return length < 0 || length > context.MessageSize
                ? throw new InvalidDataException($"echo stream corrupt: a message of {length} bytes where {context.MessageSize} were sent.")
                : length;
        }
    }

    private sealed class EchoConnection(DirectSocket socket, byte[] payload) : ILoadConnection
    {
        private byte[] _buffer = new byte[16 * 1024];
        private int _written;

        public void Write(long sequence, long intendedTicks, bool measured)
        {
            LoadPayload.Write(payload, sequence, intendedTicks);
            if (_written + LengthPrefix + payload.Length > _buffer.Length)
            {
                // A generator far behind its schedule writes a large batch at once.
                Array.Resize(ref _buffer, Math.Max(2 * _buffer.Length, _written + LengthPrefix + payload.Length));
            }

            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_written), payload.Length);
            payload.CopyTo(_buffer.AsSpan(_written + LengthPrefix));
            _written += LengthPrefix + payload.Length;
        }

        public ValueTask FlushAsync()
        {
            var send = socket.SendAsync(_buffer.AsSpan(0, _written));
            _written = 0;
            return send;
        }
    }
}
