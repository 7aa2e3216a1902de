using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Noise;
using Relay.Protocol.Frames;

namespace Perf.Load.Idle;

/// <summary>
/// An idle relay client over Noise/TCP: the XX handshake as identity number <c>client</c> (the
/// relay's key pinned), then one PING answered by a PONG, which proves the relay has attached
/// the identity. The client keeps its transport keys for keep-alive PINGs; it never reads again.
/// </summary>
public sealed class NoiseIdleProtocol : IdleProtocol
{
    private const int PrivateKeySize = X25519KeyPair.KeySize;

    private readonly byte[] _relayKey;
    private readonly NoiseProtocol _protocol;
    private readonly AeadBackend _backend;
    private readonly byte[] _identitySeed = RandomNumberGenerator.GetBytes(32);

    /// <summary>Creates the protocol for a relay with static key <paramref name="relayKey"/>.</summary>
    public NoiseIdleProtocol(byte[] relayKey, AeadAlgorithm cipher, AeadBackend backend)
    {
        _relayKey = relayKey ?? throw new ArgumentNullException(nameof(relayKey));
        _protocol = NoiseProtocol.Xx(cipher ?? throw new ArgumentNullException(nameof(cipher)));
        _backend = backend ?? throw new ArgumentNullException(nameof(backend));
    }

    /// <inheritdoc />
    public override async Task<object?> OpenAsync(Socket socket, int client, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            using var identity = Identity(client);
            using var handshake = new HandshakeState(_protocol, initiator: true, "relay/1"u8, identity, default, _backend);
            NoiseTransport transport;
            try
            {
                await WriteHandshakeAsync(socket, handshake, buffer, cancellationToken).ConfigureAwait(false);
                var length = await ReadFrameAsync(socket, buffer, cancellationToken).ConfigureAwait(false);
                handshake.ReadMessage(buffer.AsSpan(0, length), buffer.AsSpan(512, 256));
                if (!handshake.RemoteStaticKey.SequenceEqual(_relayKey))
                {
                    throw new IdleConnectionException("the relay presented a different key than the pinned one");
                }

                await WriteHandshakeAsync(socket, handshake, buffer, cancellationToken).ConfigureAwait(false);
                transport = handshake.Split();
            }
            catch (NoiseException ex)
            {
                throw new IdleConnectionException($"the Noise handshake failed: {ex.Error} ({ex.Message})", ex);
            }

            try
            {
                await PingAsync(socket, transport, buffer, (ulong)client, cancellationToken).ConfigureAwait(false);
                return transport;
            }
            catch
            {
                transport.Dispose();
                throw;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <inheritdoc />
    public override bool AnswersKeepAlive => true;

    /// <inheritdoc />
    public override bool HoldsMessages => true;

    /// <inheritdoc />
    public override async Task<int> SendHeldAsync(Socket socket, object? state, IReadOnlyList<byte[]> recipients, int envelopeSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(recipients);
        var transport = (NoiseTransport)state!;
        var envelope = RandomNumberGenerator.GetBytes(envelopeSize); // opaque to the relay, as E2E ciphertext is
        var frame = new ArrayBufferWriter<byte>(envelopeSize + 64);
        var wire = ArrayPool<byte>.Shared.Rent(NoiseProtocol.MaxMessageLength + 2);
        try
        {
            for (var i = 0; i < recipients.Count; i++)
            {
                frame.Clear();
                FrameCodec.WriteSend(frame, (ulong)(i + 1), new Identity(recipients[i]), envelope);
                var length = transport.Encrypt(frame.WrittenSpan, wire.AsSpan(2));
                BinaryPrimitives.WriteUInt16BigEndian(wire, (ushort)length);
                await SendAllAsync(socket, wire.AsMemory(0, 2 + length), cancellationToken).ConfigureAwait(false);
            }

            return await CountAnswersAsync(socket, transport, wire, recipients.Count, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(wire);
        }
    }

    // One answer per SEND: ACCEPTED counts, REJECTED does not, PONGs (to keep-alives) pass.
    private static async Task<int> CountAnswersAsync(Socket socket, NoiseTransport transport, byte[] buffer, int sent, CancellationToken cancellationToken)
    {
        var answered = 0;
        var accepted = 0;
        while (answered < sent)
        {
            var type = await ReadAnswerAsync(socket, transport, buffer, "a SEND", cancellationToken).ConfigureAwait(false);
            accepted += type == FrameType.Accepted ? 1 : 0;
            answered += type is FrameType.Accepted or FrameType.Rejected ? 1 : 0;
        }

        return accepted;
    }

    /// <inheritdoc />
    public override void KeepAlive(Socket socket, object? state)
    {
        ArgumentNullException.ThrowIfNull(socket);
        var transport = (NoiseTransport)state!;
        Span<byte> frame = stackalloc byte[64];
        var ping = new ArrayBufferWriter<byte>(16);
        FrameCodec.WritePing(ping, 0);
        var length = transport.Encrypt(ping.WrittenSpan, frame[2..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)length);
        socket.Send(frame[..(2 + length)]);
    }

    // Identity keys come from a per-run seed, so client k reconnects as the same identity
    // without the generator holding 100,000 key objects.
    private X25519KeyPair Identity(int client)
    {
        Span<byte> info = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(info, client);
        Span<byte> privateKey = stackalloc byte[PrivateKeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _identitySeed, privateKey, default, info);
        try
        {
            return X25519KeyPair.Import(privateKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    private static async Task PingAsync(Socket socket, NoiseTransport transport, byte[] buffer, ulong value, CancellationToken cancellationToken)
    {
        var frame = new ArrayBufferWriter<byte>(16);
        FrameCodec.WritePing(frame, value);
        var length = transport.Encrypt(frame.WrittenSpan, buffer.AsSpan(2));
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)length);
        await SendAllAsync(socket, buffer.AsMemory(0, 2 + length), cancellationToken).ConfigureAwait(false);
        while (await ReadAnswerAsync(socket, transport, buffer, "the PING", cancellationToken).ConfigureAwait(false) != FrameType.Pong)
        {
        }
    }

    // The type of the relay's next frame, read in order (the receive nonce counts every frame); an ERROR or a malformed frame throws.
    private static async Task<FrameType> ReadAnswerAsync(Socket socket, NoiseTransport transport, byte[] buffer, string asked, CancellationToken cancellationToken)
    {
        var received = await ReadFrameAsync(socket, buffer, cancellationToken).ConfigureAwait(false);
        int opened;
        try
        {
            opened = transport.Decrypt(buffer.AsSpan(0, received), buffer.AsSpan(512));
        }
        catch (NoiseException ex)
        {
            throw new IdleConnectionException($"the relay's answer did not decrypt: {ex.Error}", ex);
        }

        var error = FrameCodec.TryRead(new ReadOnlySequence<byte>(buffer, 512, opened), FrameLimits.Default, out var answer);
        if (error != FrameError.None || answer.Type == FrameType.Error)
        {
            throw new IdleConnectionException($"the relay answered {asked} with {(error != FrameError.None ? error.ToString() : "an ERROR frame")}");
        }

        return answer.Type;
    }

    private static async Task WriteHandshakeAsync(Socket socket, HandshakeState handshake, byte[] buffer, CancellationToken cancellationToken)
    {
        var length = handshake.WriteMessage(default, buffer.AsSpan(2, 510));
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)length);
        await SendAllAsync(socket, buffer.AsMemory(0, 2 + length), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ReadFrameAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        await ReceiveExactlyAsync(socket, buffer.AsMemory(0, 2), cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
        if (length > 512)
        {
            throw new IdleConnectionException($"the relay sent a {length}-byte frame where a handshake message or PONG was expected");
        }

        await ReceiveExactlyAsync(socket, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        return length;
    }
}
