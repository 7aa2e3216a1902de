using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;

namespace Perf.Load.Targets.Echo;

/// <summary>
/// Drives an <see cref="EchoServer"/>: each connection sends length-prefixed messages (4 bytes
/// little-endian, then the payload, no E2E) and receives them back. The framing is the
/// client's alone: the server copies bytes blindly.
/// </summary>
public sealed class EchoTarget : ILoadTarget
{
    private const int LengthPrefix = 4;

    private readonly EndPoint _endPoint;
    private readonly List<ConnectionContext> _open = [];
    private readonly List<Task> _receivers = [];
    private SocketConnectionContextFactory? _factory;

    /// <summary>Creates a target for the echo server at <paramref name="endPoint"/>.</summary>
    public EchoTarget(EndPoint endPoint)
    {
        _endPoint = endPoint ?? throw new ArgumentNullException(nameof(endPoint));
    }

    /// <inheritdoc />
    public string Name => "echo";

    /// <inheritdoc />
    public LoadStages Stages => LoadStages.None;

    /// <inheritdoc />
    public async Task<IReadOnlyList<ILoadConnection>> ConnectAsync(LoadTargetContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        _factory = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions(), NullLogger.Instance);
        var connections = new ILoadConnection[context.Connections];
        for (var i = 0; i < connections.Length; i++)
        {
            var socket = new Socket(_endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(_endPoint, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                throw new LoadTargetException($"cannot connect to echo://{_endPoint}: {ex.SocketErrorCode}. Start one with `perf echo --listen {_endPoint}`, or use the bare name `echo` to start one embedded.", ex);
            }

            var transport = _factory.Create(socket);
            _open.Add(transport);
            var payload = new byte[context.MessageSize];
            new Random(i).NextBytes(payload);
            connections[i] = new EchoConnection(transport.Transport.Output, payload);
            _receivers.Add(ReceiveAsync(transport.Transport.Input, context));
        }

        return connections;
    }

    /// <summary>Closes every connection and waits for the receive loops to end.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _open)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(_receivers).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or ConnectionAbortedException)
        {
            // Closing the sockets ends the loops with these.
        }

        _factory?.Dispose();
    }

    private static async Task ReceiveAsync(PipeReader input, LoadTargetContext context)
    {
        var scratch = new byte[context.MessageSize];
        while (true)
        {
            var read = await input.ReadAsync().ConfigureAwait(false);
            var buffer = read.Buffer;
            var received = LoadTargetContext.Now();
            while (TryTakeMessage(ref buffer, scratch, out var payload))
            {
                context.Delivered(payload.Span, received, received);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (read.IsCompleted || read.IsCanceled)
            {
                await input.CompleteAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    private static bool TryTakeMessage(ref ReadOnlySequence<byte> buffer, byte[] scratch, out ReadOnlyMemory<byte> payload)
    {
        payload = default;
        if (buffer.Length < LengthPrefix)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[LengthPrefix];
        buffer.Slice(0, LengthPrefix).CopyTo(prefix);
        var length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (length < 0 || length > scratch.Length)
        {
            // Only this client frames the stream, so a bad length means the stream is corrupt.
            throw new InvalidDataException($"echo stream corrupt: a message of {length} bytes where {scratch.Length} were sent.");
        }

        if (buffer.Length < LengthPrefix + length)
        {
            return false;
        }

        buffer.Slice(LengthPrefix, length).CopyTo(scratch);
        payload = scratch.AsMemory(0, length);
        buffer = buffer.Slice(LengthPrefix + length);
        return true;
    }

    private sealed class EchoConnection(PipeWriter output, byte[] payload) : ILoadConnection
    {
        public void Write(long sequence, long intendedTicks, bool measured)
        {
            LoadPayload.Write(payload, sequence, intendedTicks);
            var span = output.GetSpan(LengthPrefix + payload.Length);
            BinaryPrimitives.WriteInt32LittleEndian(span, payload.Length);
            payload.CopyTo(span[LengthPrefix..]);
            output.Advance(LengthPrefix + payload.Length);
        }

        public async ValueTask FlushAsync()
        {
            var result = await output.FlushAsync().ConfigureAwait(false);
            if (result.IsCompleted)
            {
                throw new IOException("the echo server closed the connection.");
            }
        }
    }
}
