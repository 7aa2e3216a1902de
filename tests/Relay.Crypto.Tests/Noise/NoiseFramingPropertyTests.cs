using System.Buffers;
using System.Buffers.Binary;
using CsCheck;
using Perf.Testing.Bytes;
using Relay.Crypto.Aead;
using Relay.Crypto.Noise;
using Relay.Crypto.Noise.Framing;

namespace Relay.Crypto.Tests.Noise;

/// <summary>
/// Properties of the Noise framing and transport read path over generated streams and hostile bytes:
/// written frames come back in order however the stream is split, a partial frame waits, a length
/// over the limit is the one exception framing throws, and a changed transport message never opens.
/// </summary>
public sealed class NoiseFramingPropertyTests
{
    private static readonly Gen<byte[][]> Messages = Gen.Byte.Array[0, 300].Array[0, 6];
    private static readonly Gen<int> Chunks = Gen.Int[1, 40];

    [Fact]
    public void Written_frames_parse_back_in_order_however_the_stream_is_split() =>
        Gen.Select(Messages, Chunks).Sample((messages, chunk) =>
        {
            var writer = new ArrayBufferWriter<byte>();
            foreach (var message in messages)
            {
                NoiseFraming.WriteFrame(writer, message);
            }

            var (frames, rest) = ReadAll(SegmentedSequence.Split(writer.WrittenMemory, chunk), NoiseProtocol.MaxMessageLength);
            Assert.Equal(messages, frames);
            Assert.Equal(0, rest);
        }, iter: 1_000);

    [Fact]
    public void Every_proper_prefix_of_a_frame_waits_for_the_rest() =>
        Gen.Byte.Array[0, 200].Sample(message =>
        {
            var writer = new ArrayBufferWriter<byte>();
            NoiseFraming.WriteFrame(writer, message);
            for (var length = 0; length < writer.WrittenCount; length++)
            {
                var (frames, rest) = ReadAll(new ReadOnlySequence<byte>(writer.WrittenMemory[..length]), NoiseProtocol.MaxMessageLength);
                Assert.Empty(frames);
                Assert.Equal(length, rest);
            }
        }, iter: 300);

    [Fact]
    public void A_length_over_the_limit_throws_frame_too_large_before_the_body_arrives() =>
        Gen.Int[0, NoiseProtocol.MaxMessageLength - 1].SelectMany(limit => Gen.Int[limit + 1, NoiseProtocol.MaxMessageLength].Select(length => (limit, length)))
            .Sample((limit, length) =>
            {
                var prefix = new byte[2];
                BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)length);
                var error = Assert.Throws<NoiseException>(() => ReadAll(new ReadOnlySequence<byte>(prefix), limit));
                Assert.Equal(NoiseError.FrameTooLarge, error.Error);
            }, iter: 2_000);

    [Fact]
    public void A_message_too_long_for_the_prefix_is_refused_when_written() =>
        Gen.Int[NoiseProtocol.MaxMessageLength + 1, NoiseProtocol.MaxMessageLength + 4096].Sample(length =>
        {
            var error = Assert.Throws<NoiseException>(() => NoiseFraming.WriteFrame(new ArrayBufferWriter<byte>(), new byte[length]));
            Assert.Equal(NoiseError.MessageTooLarge, error.Error);
        }, iter: 50);

    [Fact]
    public void Arbitrary_bytes_are_cut_into_whole_frames_or_refused_as_too_large() =>
        Gen.Select(Gen.Byte.Array[0, 200], Gen.Int[0, 300], Chunks).Sample((bytes, limit, chunk) =>
        {
            try
            {
                var (frames, rest) = ReadAll(SegmentedSequence.Split(bytes, chunk), limit);
                var framed = 0;
                foreach (var frame in frames)
                {
                    Assert.True(frame.Length <= limit);
                    Assert.Equal(frame, bytes.AsSpan(framed + 2, frame.Length).ToArray());
                    framed += 2 + frame.Length;
                }

                Assert.Equal(bytes.Length, framed + rest);
            }
            catch (NoiseException e)
            {
                Assert.Equal(NoiseError.FrameTooLarge, e.Error);
            }
        }, iter: 3_000);

    [Fact]
    public void A_transport_message_with_any_bit_changed_is_refused() =>
        Gen.Select(Gen.Byte.Array[0, 200], Gen.Int[0, int.MaxValue], Gen.Bool).Sample((plaintext, position, aesGcm) =>
        {
            var algorithm = aesGcm ? AeadAlgorithm.Aes256Gcm : AeadAlgorithm.ChaCha20Poly1305;
            using var send = new CipherState(algorithm, AeadBackend.Sodium);
            using var receive = new CipherState(algorithm, AeadBackend.Sodium);
            var key = new byte[32];
            key[0] = 1;
            send.InitializeKey(key);
            receive.InitializeKey(key);
            var message = new byte[plaintext.Length + 16];
            new NoiseTransport(send, send).Encrypt(plaintext, message);
            var bit = position % (message.Length * 8);
            message[bit / 8] ^= (byte)(1 << (bit % 8));
            var error = Assert.Throws<NoiseException>(() => new NoiseTransport(receive, receive).Decrypt(message, new byte[message.Length]));
            Assert.Equal(NoiseError.DecryptFailed, error.Error);
            Assert.Equal(0UL, receive.Nonce);
        }, iter: 1_000);

    // NoiseChannel's loop: frames while whole ones are there; then how many bytes wait for more.
    private static (List<byte[]> Frames, long Waiting) ReadAll(ReadOnlySequence<byte> buffer, int limit)
    {
        var frames = new List<byte[]>();
        while (true)
        {
            var consumed = buffer.Start;
            var examined = buffer.End;
            if (!NoiseFraming.TryParseFrame(buffer, limit, ref consumed, ref examined, out var frame))
            {
                Assert.Equal(0, buffer.Slice(buffer.Start, consumed).Length);
                Assert.Equal(buffer.Length, buffer.Slice(buffer.Start, examined).Length);
                return (frames, buffer.Length);
            }

            Assert.Equal(consumed, examined);
            Assert.Equal(2 + frame.Length, buffer.Slice(buffer.Start, consumed).Length);
            frames.Add(frame.ToArray());
            buffer = buffer.Slice(consumed);
        }
    }
}
