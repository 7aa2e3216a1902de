using Perf.Testing.Allocations;
using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Noise;
using Relay.Crypto.Noise.Framing;

namespace Relay.Crypto.Tests.Noise;

public sealed class NoiseChannelTests : IDisposable
{
    private static readonly PipeOptions Inline = new(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false);

    private readonly X25519KeyPair _clientKey = X25519KeyPair.Generate();
    private readonly X25519KeyPair _serverKey = X25519KeyPair.Generate();

    public void Dispose()
    {
        _clientKey.Dispose();
        _serverKey.Dispose();
    }

    [Fact]
    public async Task Both_sides_learn_each_others_identity_and_exchange_messages()
    {
        var (client, server) = Connected();
        var (c, s) = await Handshake(client, server);

        Assert.Equal(_clientKey.PublicKey.ToArray(), s.RemoteStaticKey.ToArray());
        Assert.Equal(_serverKey.PublicKey.ToArray(), c.RemoteStaticKey.ToArray());
        Assert.Equal(c.HandshakeHash.ToArray(), s.HandshakeHash.ToArray());
        await c.WriteAsync("hello relay"u8.ToArray());
        Assert.Equal("hello relay"u8.ToArray(), (await s.ReadAsync()).Payload.ToArray());
        await s.WriteAsync("hello client"u8.ToArray());
        Assert.Equal("hello client"u8.ToArray(), (await c.ReadAsync()).Payload.ToArray());
    }

    [Fact]
    public async Task Frames_arriving_a_byte_at_a_time_across_segments_are_read_whole()
    {
        var toServer = new Pipe(Inline);
        var fromClient = new Pipe(Inline);
        var toClient = new Pipe(Inline);
        var server = new DuplexPipe(toServer.Reader, toClient.Writer);
        var client = new DuplexPipe(toClient.Reader, fromClient.Writer);
        var dribble = Dribble(fromClient.Reader, toServer.Writer);
        var (c, s) = await Handshake(client, server);
        var message = RandomNumberGenerator.GetBytes(3000);

        await c.WriteAsync(message);

        Assert.Equal(message, (await s.ReadAsync()).Payload.ToArray());
        await fromClient.Writer.CompleteAsync();
        await dribble;
    }

    [Fact]
    public void The_frame_parser_handles_split_prefixes_and_refuses_oversized_lengths()
    {
        var bytes = new byte[] { 0x00, 0x03, 0xAA, 0xBB, 0xCC, 0x00 };
        var sequence = Segmented(bytes, 1);
        SequencePosition consumed = sequence.Start, examined = sequence.End;

        Assert.True(NoiseFraming.TryParseFrame(sequence, 100, ref consumed, ref examined, out var frame));
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0xCC }, frame.ToArray());
        Assert.Equal(5, sequence.Slice(sequence.Start, consumed).Length);

        var partial = sequence.Slice(0, 4);
        Assert.False(NoiseFraming.TryParseFrame(partial, 100, ref consumed, ref examined, out _));
        Assert.Equal(partial.End, examined);
        var ex = Assert.Throws<NoiseException>(() =>
        {
            SequencePosition c2 = default, e2 = default;
            NoiseFraming.TryParseFrame(new ReadOnlySequence<byte>(new byte[] { 0xFF, 0xFF }), 1000, ref c2, ref e2, out _);
        });
        Assert.Equal(NoiseError.FrameTooLarge, ex.Error);
    }

    [Fact]
    public async Task A_connection_closed_mid_frame_is_truncated()
    {
        var (client, server) = Connected();
        var (_, s) = await Handshake(client, server);
        await client.Output.WriteAsync(new byte[] { 0x00, 0x40, 1, 2, 3 });
        await client.Output.CompleteAsync();

        Assert.Equal(NoiseError.Truncated, (await Assert.ThrowsAsync<NoiseException>(() => s.ReadAsync().AsTask())).Error);
    }

    [Fact]
    public async Task A_clean_close_between_frames_is_completed_not_an_error()
    {
        var (client, server) = Connected();
        var (_, s) = await Handshake(client, server);
        await client.Output.CompleteAsync();
        Assert.True((await s.ReadAsync()).IsCompleted);
    }

    [Fact]
    public async Task A_frame_over_the_limit_is_refused()
    {
        var (client, server) = Connected();
        var (c, s) = await Handshake(client, server, serverMax: 200);
        await c.WriteAsync(new byte[500]);
        Assert.Equal(NoiseError.FrameTooLarge, (await Assert.ThrowsAsync<NoiseException>(() => s.ReadAsync().AsTask())).Error);
    }

    [Fact]
    public async Task A_flipped_bit_in_transit_fails_authentication()
    {
        // A man in the middle: the client's bytes pass through this test, which flips one.
        var toServer = new Pipe(Inline);
        var fromClient = new Pipe(Inline);
        var toClient = new Pipe(Inline);
        var client = new DuplexPipe(toClient.Reader, fromClient.Writer);
        var server = new DuplexPipe(toServer.Reader, toClient.Writer);
        var forward = Forward(fromClient.Reader, toServer.Writer);
        var (c, s) = await Handshake(client, server);
        await Task.Yield();
        c.Write(new byte[10]);
        FlipNext = true;
        await c.FlushAsync();

        Assert.Equal(NoiseError.DecryptFailed, (await Assert.ThrowsAsync<NoiseException>(() => s.ReadAsync().AsTask())).Error);
        await fromClient.Writer.CompleteAsync();
        await forward;
    }

    private bool FlipNext { get; set; }

    private async Task Forward(PipeReader from, PipeWriter to)
    {
        while (true)
        {
            var result = await from.ReadAsync();
            var bytes = result.Buffer.ToArray();
            from.AdvanceTo(result.Buffer.End);
            if (FlipNext && bytes.Length > 5)
            {
                bytes[5] ^= 0x01;
                FlipNext = false;
            }

            await to.WriteAsync(bytes);
            if (result.IsCompleted)
            {
                await to.CompleteAsync();
                return;
            }
        }
    }

    [Fact]
    public async Task Garbage_instead_of_a_handshake_ends_the_handshake_with_an_error()
    {
        var (client, server) = Connected();
        var accept = NoiseChannel.AcceptAsync(server, Options(_serverKey) with { HandshakeTimeout = TimeSpan.FromSeconds(5) }, CancellationToken.None);
        await client.Output.WriteAsync("GET / HTTP/1.1\r\nHost: relay\r\n\r\n"u8.ToArray());
        await client.Output.CompleteAsync();

        var ex = await Assert.ThrowsAsync<NoiseException>(() => accept);
        Assert.Equal(NoiseError.Truncated, ex.Error);
    }

    [Fact]
    public async Task A_relay_key_other_than_the_pinned_one_is_refused()
    {
        var (client, server) = Connected();
        using var other = X25519KeyPair.Generate();
        var connect = NoiseChannel.ConnectAsync(client, Options(_clientKey) with { ExpectedRemoteStaticKey = other.PublicKey.ToArray() }, CancellationToken.None);
        var accept = NoiseChannel.AcceptAsync(server, Options(_serverKey), CancellationToken.None);

        Assert.Equal(NoiseError.RemoteKeyMismatch, (await Assert.ThrowsAsync<NoiseException>(() => connect)).Error);
        // The client gave up before sending its own static key: the relay never completes.
        await client.Output.CompleteAsync();
        Assert.Equal(NoiseError.Truncated, (await Assert.ThrowsAsync<NoiseException>(() => accept)).Error);
    }

    [Fact]
    public async Task A_silent_peer_times_the_handshake_out()
    {
        var (_, server) = Connected();
        var ex = await Assert.ThrowsAsync<NoiseException>(() => NoiseChannel.AcceptAsync(server, Options(_serverKey) with { HandshakeTimeout = TimeSpan.FromMilliseconds(200) }, CancellationToken.None));
        Assert.Equal(NoiseError.Timeout, ex.Error);
    }

    [Fact]
    public async Task Writing_and_reading_messages_allocates_nothing()
    {
        var (client, server) = Connected();
        var (c, s) = await Handshake(client, server);
        var message = new byte[256];
        var failures = 0;
        Allocations.AssertNone(() => failures += RoundTrip(c, s, message), warmUpCalls: 100);
        Assert.Equal(0, failures);
    }

    [Fact]
    public async Task Handshake_payloads_larger_than_the_small_buffers_still_handshake()
    {
        // Handshake buffers start small (a reconnect storm keeps hundreds of handshakes in flight);
        // a peer that sends a large payload gets a larger buffer, not an error.
        var (client, server) = Connected();
        var payload = RandomNumberGenerator.GetBytes(20_000);
        var accept = NoiseChannel.AcceptAsync(server, Options(_serverKey) with { HandshakePayload = payload }, CancellationToken.None);
        var connect = NoiseChannel.ConnectAsync(client, Options(_clientKey) with { HandshakePayload = payload }, CancellationToken.None);
        var (c, s) = (await connect, await accept);

        await c.WriteAsync("after a large handshake"u8.ToArray());

        Assert.Equal("after a large handshake"u8.ToArray(), (await s.ReadAsync()).Payload.ToArray());
    }

    private static int RoundTrip(NoiseChannel c, NoiseChannel s, byte[] message)
    {
        var flush = c.WriteAsync(message);
        if (!flush.IsCompletedSuccessfully)
        {
            return 1;
        }

        var read = s.ReadAsync();
        return read.IsCompletedSuccessfully && read.Result.Payload.Length == message.Length ? 0 : 1;
    }

    private NoiseChannelOptions Options(X25519KeyPair key) => new() { StaticKey = key, Backend = AeadBackend.Sodium };

    private async Task<(NoiseChannel Client, NoiseChannel Server)> Handshake(IDuplexPipe client, IDuplexPipe server, int serverMax = NoiseProtocol.MaxMessageLength)
    {
        var accept = NoiseChannel.AcceptAsync(server, Options(_serverKey) with { MaxMessageLength = serverMax }, CancellationToken.None);
        var connect = NoiseChannel.ConnectAsync(client, Options(_clientKey) with { ExpectedRemoteStaticKey = _serverKey.PublicKey.ToArray() }, CancellationToken.None);
        return (await connect, await accept);
    }

    private static (IDuplexPipe Client, IDuplexPipe Server) Connected()
    {
        var toServer = new Pipe(Inline);
        var toClient = new Pipe(Inline);
        return (new DuplexPipe(toClient.Reader, toServer.Writer), new DuplexPipe(toServer.Reader, toClient.Writer));
    }

    private static async Task Dribble(PipeReader from, PipeWriter to)
    {
        while (true)
        {
            var result = await from.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                for (var i = 0; i < segment.Length; i++)
                {
                    await to.WriteAsync(segment.Slice(i, 1));
                }
            }

            from.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                await to.CompleteAsync();
                return;
            }
        }
    }

    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int segmentSize)
    {
        Segment? first = null;
        Segment? last = null;
        for (var i = 0; i < bytes.Length; i += segmentSize)
        {
            var next = new Segment(bytes.AsMemory(i, Math.Min(segmentSize, bytes.Length - i)), i);
            if (first is null)
            {
                first = next;
            }
            else
            {
                last!.SetNext(next);
            }

            last = next;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
