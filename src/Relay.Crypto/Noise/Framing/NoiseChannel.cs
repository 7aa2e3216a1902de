using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Relay.Crypto.Noise.Framing;

/// <summary>
/// A Noise channel over a pipe pair (what Kestrel's <c>ConnectionContext.Transport</c> and a
/// client socket's pipes are): the XX handshake, then length-prefixed transport messages.
/// Reading decrypts each frame straight from the pipe's buffer into a buffer rented for that
/// message (copying first only when a frame spans segments) and hands out the plaintext until the
/// next read, which returns it to the pool; writing encrypts straight into the
/// <see cref="PipeWriter"/>'s memory. A channel waiting for data holds no buffer, so an idle
/// connection costs little memory (a relay holds 100,000 of them). One reader and one writer may
/// run at once; two readers or two writers may not. Allocation-free per message.
/// </summary>
public sealed class NoiseChannel : IAsyncDisposable
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly NoiseTransport _transport;
    private readonly int _maxMessageLength;
    // Handshake messages are small (XX: at most 96 bytes of keys and tags plus the payloads,
    // empty by default); their buffers grow only for a peer that sends a larger one.
    private const int HandshakeBufferBytes = 512;
    private readonly byte[] _remoteStatic;
    private byte[]? _plaintext;
    private bool _disposed;

    private NoiseChannel(IDuplexPipe pipe, NoiseTransport transport, byte[] remoteStatic, byte[] handshakeHash, int maxMessageLength, byte[] remotePayload)
    {
        RemoteHandshakePayload = remotePayload;
        _input = pipe.Input;
        _output = pipe.Output;
        _transport = transport;
        _remoteStatic = remoteStatic;
        HandshakeHash = handshakeHash;
        _maxMessageLength = maxMessageLength;
    }

    /// <summary>The peer's static public key, proven by the handshake: its identity.</summary>
    public ReadOnlySpan<byte> RemoteStaticKey => _remoteStatic;

    /// <summary>The payload of the last handshake message the peer sent (empty for none).</summary>
    public ReadOnlyMemory<byte> RemoteHandshakePayload { get; }

    /// <summary>The handshake hash (a channel binding).</summary>
    public ReadOnlyMemory<byte> HandshakeHash { get; }

    /// <summary>The largest plaintext one message carries.</summary>
    public int MaxPlaintextLength => _maxMessageLength - 16;

    /// <summary>Runs the handshake as initiator (the client side).</summary>
    /// <exception cref="NoiseException">The handshake failed: a bad tag, truncation, an invalid key, a pinning mismatch or a timeout.</exception>
    public static Task<NoiseChannel> ConnectAsync(IDuplexPipe pipe, NoiseChannelOptions options, CancellationToken cancellationToken) =>
        HandshakeAsync(pipe, options, initiator: true, cancellationToken);

    /// <summary>Runs the handshake as responder (the relay side).</summary>
    /// <exception cref="NoiseException">The handshake failed: a bad tag, truncation, an invalid key, garbage, or a timeout.</exception>
    public static Task<NoiseChannel> AcceptAsync(IDuplexPipe pipe, NoiseChannelOptions options, CancellationToken cancellationToken) =>
        HandshakeAsync(pipe, options, initiator: false, cancellationToken);

    /// <summary>
    /// Reads and decrypts the next message. The returned plaintext stays valid until the next
    /// read. <see cref="NoiseMessage.IsCompleted"/> is set when the peer closed cleanly between frames.
    /// </summary>
    /// <exception cref="NoiseException">Truncated (closed mid-frame), FrameTooLarge, DecryptFailed or NonceExhausted; the channel is then unusable.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<NoiseMessage> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ReturnPlaintext(); // the previous message's plaintext was valid until this read
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            if (NoiseFraming.TryParseFrame(buffer, _maxMessageLength, ref consumed, ref examined, out var frame))
            {
                var plaintext = Decrypt(frame);
                _input.AdvanceTo(consumed, examined);
                return new NoiseMessage(plaintext, IsCompleted: false);
            }

            _input.AdvanceTo(consumed, examined);
            if (result.IsCompleted || result.IsCanceled)
            {
                if (!buffer.IsEmpty)
                {
                    throw new NoiseException(NoiseError.Truncated, $"the connection closed in the middle of a frame ({buffer.Length} bytes pending)");
                }

                return new NoiseMessage(ReadOnlyMemory<byte>.Empty, IsCompleted: true);
            }
        }
    }

    /// <summary>Encrypts one message into the output pipe without flushing (so several can go in one flush).</summary>
    /// <exception cref="NoiseException">MessageTooLarge over <see cref="MaxPlaintextLength"/>, or NonceExhausted.</exception>
    public void Write(ReadOnlySpan<byte> plaintext)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (plaintext.Length > MaxPlaintextLength)
        {
            throw new NoiseException(NoiseError.MessageTooLarge, $"a message of {plaintext.Length} bytes is over this channel's limit of {MaxPlaintextLength}; split it");
        }

        var length = plaintext.Length + 16;
        var span = _output.GetSpan(NoiseFraming.PrefixLength + length);
        NoiseFraming.WritePrefix(span, length);
        _transport.Encrypt(plaintext, span.Slice(NoiseFraming.PrefixLength, length));
        _output.Advance(NoiseFraming.PrefixLength + length);
    }

    /// <summary>Sends what <see cref="Write"/> buffered.</summary>
    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => _output.FlushAsync(cancellationToken);

    /// <summary>Writes one message and flushes.</summary>
    public ValueTask<FlushResult> WriteAsync(ReadOnlySpan<byte> plaintext, CancellationToken cancellationToken = default)
    {
        Write(plaintext);
        return _output.FlushAsync(cancellationToken);
    }

    /// <summary>Wipes the keys and returns the buffers; the pipes belong to the caller.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _transport.Dispose();
            ReturnPlaintext();
        }

        return ValueTask.CompletedTask;
    }

    // Every message rents a buffer its size until the next read: a channel kept its own small
    // buffer once, but that was 1 KiB held by every idle connection.
    private ReadOnlyMemory<byte> Decrypt(in ReadOnlySequence<byte> frame)
    {
        var length = (int)frame.Length;
        _plaintext = ArrayPool<byte>.Shared.Rent(Math.Max(1, length - 16));
        if (frame.IsSingleSegment)
        {
            return _plaintext.AsMemory(0, _transport.Decrypt(frame.FirstSpan, _plaintext));
        }

        var contiguous = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            frame.CopyTo(contiguous);
            return _plaintext.AsMemory(0, _transport.Decrypt(contiguous.AsSpan(0, length), _plaintext));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(contiguous);
        }
    }

    // Plaintext is E2E ciphertext plus relay frame headers, but wipe it anyway before it goes back to the shared pool.
    private void ReturnPlaintext()
    {
        if (_plaintext is { } plaintext)
        {
            _plaintext = null;
            ArrayPool<byte>.Shared.Return(plaintext, clearArray: true);
        }
    }

    private static async Task<NoiseChannel> HandshakeAsync(IDuplexPipe pipe, NoiseChannelOptions options, bool initiator, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        ArgumentNullException.ThrowIfNull(options);
        if (options.StaticKey is null)
        {
            throw new NoiseException(NoiseError.MissingKey, "a Noise channel needs a static key pair");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        using var handshake = new HandshakeState(options.Protocol, initiator, options.Prologue.Span, options.StaticKey, default, options.Backend);
        // Small rented buffers: 64 KiB ones for every handshake emptied the shared pool when
        // hundreds were in flight (a reconnect storm), and each miss was a large-object allocation.
        var buffer = ArrayPool<byte>.Shared.Rent(HandshakeBufferBytes);
        var payload = ArrayPool<byte>.Shared.Rent(HandshakeBufferBytes);
        var remotePayload = Array.Empty<byte>();
        var messages = options.Protocol.Pattern.Messages.Count;
        try
        {
            for (var index = 0; !handshake.IsComplete; index++)
            {
                if (handshake.IsMyTurn)
                {
                    var outgoing = index == messages - 1 && options.FinalHandshakePayload is { } final ? final : options.HandshakePayload;
                    Grow(ref buffer, handshake.MaxMessageSize(outgoing.Length), clear: false);
                    var length = handshake.WriteMessage(outgoing.Span, buffer);
                    NoiseFraming.WriteFrame(pipe.Output, buffer.AsSpan(0, length));
                    await pipe.Output.FlushAsync(timeout.Token).ConfigureAwait(false);
                }
                else
                {
                    var frame = await ReadHandshakeFrameAsync(pipe.Input, buffer, options.MaxMessageLength, timeout.Token).ConfigureAwait(false);
                    buffer = frame.Buffer;
                    Grow(ref payload, frame.Length, clear: true);
                    var payloadLength = handshake.ReadMessage(buffer.AsSpan(0, frame.Length), payload);
                    remotePayload = payloadLength == 0 ? Array.Empty<byte>() : payload.AsSpan(0, payloadLength).ToArray();

                    // Check the pin as soon as the peer's key is known: an initiator must not
                    // reveal its own static key (its identity) to a relay it did not expect.
                    CheckPin(options, handshake.RemoteStaticKey);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NoiseException(NoiseError.Timeout, $"the Noise handshake did not finish within {options.HandshakeTimeout.TotalSeconds:0.#} s");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            ArrayPool<byte>.Shared.Return(payload, clearArray: true);
        }

        var remote = handshake.RemoteStaticKey.ToArray();
        return new NoiseChannel(pipe, handshake.Split(), remote, handshake.HandshakeHash.ToArray(), Math.Min(options.MaxMessageLength, NoiseProtocol.MaxMessageLength), remotePayload);
    }

    private static void CheckPin(NoiseChannelOptions options, ReadOnlySpan<byte> remoteStatic)
    {
        if (!options.ExpectedRemoteStaticKey.IsEmpty && !remoteStatic.IsEmpty && !options.ExpectedRemoteStaticKey.Span.SequenceEqual(remoteStatic))
        {
            throw new NoiseException(NoiseError.RemoteKeyMismatch, "the peer's static key is not the pinned one");
        }
    }

    // Reads one handshake frame into buffer, or into a larger rented one (returning buffer to the
    // pool) when it does not fit; the caller keeps whichever comes back.
    private static async Task<(byte[] Buffer, int Length)> ReadHandshakeFrameAsync(PipeReader input, byte[] buffer, int maxLength, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var sequence = result.Buffer;
            var consumed = sequence.Start;
            var examined = sequence.End;
            if (NoiseFraming.TryParseFrame(sequence, maxLength, ref consumed, ref examined, out var frame))
            {
                var length = (int)frame.Length;
                Grow(ref buffer, length, clear: false);
                frame.CopyTo(buffer);
                input.AdvanceTo(consumed, examined);
                return (buffer, length);
            }

            input.AdvanceTo(consumed, examined);
            if (result.IsCompleted || result.IsCanceled)
            {
                throw new NoiseException(NoiseError.Truncated, "the connection closed during the Noise handshake");
            }
        }
    }

    private static void Grow(ref byte[] buffer, int length, bool clear)
    {
        if (buffer.Length < length)
        {
            ArrayPool<byte>.Shared.Return(buffer, clear);
            buffer = ArrayPool<byte>.Shared.Rent(length);
        }
    }
}

/// <summary>One decrypted message, valid until the channel's next read.</summary>
/// <param name="Payload">The plaintext.</param>
/// <param name="IsCompleted">The peer closed the connection cleanly; <paramref name="Payload"/> is empty.</param>
public readonly record struct NoiseMessage(ReadOnlyMemory<byte> Payload, bool IsCompleted);
