using System.Buffers;
using System.Buffers.Binary;
using Perf.Testing.Bytes;
using Relay.Crypto.Aead;
using Relay.Crypto.Noise;
using Relay.Crypto.Noise.Framing;

namespace Perf.Fuzz.Targets;

/// <summary>
/// The Noise transport's read side as <see cref="NoiseChannel"/> runs it: a byte stream cut into
/// frames by <see cref="NoiseFraming.TryParseFrame"/>, each frame decrypted in turn. Contract:
/// framing throws only <see cref="NoiseError.FrameTooLarge"/> and only for a prefix over the limit;
/// a frame is exactly its prefix's length; "need more" leaves nothing consumed and everything examined;
/// decryption throws only <see cref="NoiseException"/>; the outcome does not depend on how the bytes
/// are split into segments.
/// </summary>
internal sealed class NoiseFramingTarget : FuzzTarget
{
    private const int TightLimit = 512;
    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)(0xA0 + i))];

    /// <inheritdoc />
    public override string Name => "noise-framing";

    /// <inheritdoc />
    public override string Description => "NoiseFraming.TryParseFrame + transport decrypt: only NoiseException (FrameTooLarge over the limit, DecryptFailed, Truncated); split-invariant";

    /// <inheritdoc />
    public override void Run(ReadOnlySpan<byte> input)
    {
        var bytes = input.ToArray();
        foreach (var limit in (int[])[NoiseProtocol.MaxMessageLength, TightLimit])
        {
            var whole = ReadAll(new ReadOnlySequence<byte>(bytes), limit);
            var split = ReadAll(SegmentedSequence.Split(bytes, 3), limit);
            ContractViolation.Require(whole == split, $"split into 3-byte segments the stream reads as [{split}], in one segment as [{whole}]");
        }
    }

    /// <inheritdoc />
    public override IEnumerable<Seed> Seeds()
    {
        var stream = Encrypt([], [0x01, 0x02, 0x03], [.. Enumerable.Range(0, 200).Select(i => (byte)i)]);
        yield return new Seed("three-frames", stream);
        yield return new Seed("one-frame", Encrypt([0x06, 0, 0, 0, 0, 0, 0, 0, 1]));
        yield return new Seed("truncated-prefix", stream[..1]);
        yield return new Seed("truncated-frame", stream[..^5]);
        var tampered = (byte[])stream.Clone();
        tampered[4] ^= 0x01;
        yield return new Seed("tampered-tag", tampered);
        yield return new Seed("over-tight-limit", Encrypt(new byte[TightLimit]));
        yield return new Seed("shorter-than-tag", [0x00, 0x05, 1, 2, 3, 4, 5]);
        yield return new Seed("max-prefix", [0xFF, 0xFF, 0x00]);
    }

    // One line per event, so two reads compare as strings and a mismatch says where they parted.
    private static string ReadAll(ReadOnlySequence<byte> buffer, int limit)
    {
        using var transport = NewTransport();
        var events = new List<string>();
        var plaintext = new byte[NoiseTransport.MaxPlaintextLength];
        while (true)
        {
            var consumed = buffer.Start;
            var examined = buffer.End;
            bool parsed;
            ReadOnlySequence<byte> frame;
            try
            {
                parsed = NoiseFraming.TryParseFrame(buffer, limit, ref consumed, ref examined, out frame);
            }
            catch (NoiseException e) when (e.Error == NoiseError.FrameTooLarge)
            {
                ContractViolation.Require(Prefix(buffer) > limit, $"FrameTooLarge for a prefix of {Prefix(buffer)} under the {limit}-byte limit");
                events.Add("too-large");
                return string.Join(' ', events);
            }

            if (!parsed)
            {
                ContractViolation.Require(Prefix(buffer) < 0 || buffer.Length - 2 < Prefix(buffer), $"no frame parsed from {buffer.Length} bytes holding a whole {Prefix(buffer)}-byte frame");
                ContractViolation.Require(buffer.GetOffset(consumed) == buffer.GetOffset(buffer.Start) && buffer.GetOffset(examined) == buffer.GetOffset(buffer.End), "waiting for more data, TryParseFrame consumed something or did not examine everything");
                events.Add($"wait:{buffer.Length}");
                return string.Join(' ', events);
            }

            ContractViolation.Require(frame.Length == Prefix(buffer) && frame.Length <= limit, $"a frame of {frame.Length} bytes for a prefix of {Prefix(buffer)} under the {limit}-byte limit");
            ContractViolation.Require(buffer.GetOffset(consumed) == buffer.GetOffset(buffer.Start) + 2 + frame.Length && buffer.GetOffset(examined) == buffer.GetOffset(consumed), "consumed or examined is not the end of the frame");
            try
            {
                var written = transport.Decrypt(frame.ToArray(), plaintext);
                events.Add(Convert.ToHexString(plaintext, 0, written));
            }
            catch (NoiseException e) when (e.Error is NoiseError.DecryptFailed or NoiseError.Truncated)
            {
                // The channel ends here: a frame that does not open closes the connection.
                events.Add($"refused:{e.Error}");
                return string.Join(' ', events);
            }

            buffer = buffer.Slice(consumed);
        }
    }

    // The length prefix at the start of the buffer, or -1 while fewer than two bytes are there.
    private static int Prefix(ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < 2)
        {
            return -1;
        }

        Span<byte> prefix = stackalloc byte[2];
        buffer.Slice(0, 2).CopyTo(prefix);
        return BinaryPrimitives.ReadUInt16BigEndian(prefix);
    }

    // Both directions under one fixed key: the seeds are encrypted by Send, the input decrypted by Receive.
    private static NoiseTransport NewTransport()
    {
        var send = new CipherState(AeadAlgorithm.Aes256Gcm, AeadBackend.Sodium);
        var receive = new CipherState(AeadAlgorithm.Aes256Gcm, AeadBackend.Sodium);
        send.InitializeKey(Key);
        receive.InitializeKey(Key);
        return new NoiseTransport(send, receive);
    }

    private static byte[] Encrypt(params byte[][] messages)
    {
        using var transport = NewTransport();
        var output = new ArrayBufferWriter<byte>();
        foreach (var message in messages)
        {
            var sealedMessage = new byte[message.Length + 16];
            transport.Encrypt(message, sealedMessage);
            NoiseFraming.WriteFrame(output, sealedMessage);
        }

        return output.WrittenSpan.ToArray();
    }
}
