using System.Buffers.Binary;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;

namespace Perf.Fuzz.Targets;

/// <summary>
/// The E2E envelope as a client receives it: <see cref="E2eEnvelope.TryReadHeader"/> on every
/// envelope, <see cref="E2eSession.TryAccept"/> on the first one for the recipient, then
/// <see cref="E2eSession.TryOpen"/> in order. Input: one options byte (algorithm, padding), then
/// records of direction (bit 0: 0 to the recipient, 1 to the initiator), length (u16 big-endian)
/// and envelope. The initiator's keys are fixed, so its session is the same on every run. Contract:
/// no exception at all, only <see cref="E2eError"/> values; a header that reads matches its bytes.
/// </summary>
internal sealed class E2eEnvelopeTarget : FuzzTarget
{
    private static readonly X25519KeyPair Recipient = FixedKeys.Make(0x50);
    private static readonly X25519KeyPair Initiator = FixedKeys.Make(0x60);
    private static readonly X25519KeyPair InitiatorEphemeral = FixedKeys.Make(0x70);
    private static readonly AeadAlgorithm[] Algorithms = [AeadAlgorithm.Aes256Gcm, AeadAlgorithm.ChaCha20Poly1305, AeadAlgorithm.XChaCha20Poly1305];

    /// <inheritdoc />
    public override string Name => "e2e-envelope";

    /// <inheritdoc />
    public override string Description => "E2eEnvelope.TryReadHeader, E2eSession.TryAccept and TryOpen on hostile envelopes: E2eError values, never an exception";

    /// <inheritdoc />
    public override void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var options = Options(input[0]);
        using var initiator = E2eSession.Initiate(Initiator, InitiatorEphemeral, Recipient.PublicKey, options);
        E2eSession? recipient = null;
        try
        {
            var rest = input[1..];
            while (TryTakeRecord(ref rest, out var toInitiator, out var envelope))
            {
                CheckHeader(envelope);
                if (toInitiator)
                {
                    CheckOpen(initiator, envelope);
                    continue;
                }

                if (recipient is null)
                {
                    var accepted = E2eSession.TryAccept(Recipient, envelope, options, out recipient);
                    ContractViolation.Require(Enum.IsDefined(accepted) && (accepted == E2eError.None) == (recipient is not null), $"TryAccept gave {accepted} with{(recipient is null ? "out" : string.Empty)} a session");
                    if (recipient is null)
                    {
                        continue;
                    }
                }

                CheckOpen(recipient, envelope);
            }
        }
        finally
        {
            recipient?.Dispose();
        }
    }

    /// <inheritdoc />
    public override IEnumerable<Seed> Seeds()
    {
        foreach (var selector in (byte[])[0, 1, 2, 4])
        {
            var options = Options(selector);
            using var initiator = E2eSession.Initiate(Initiator, InitiatorEphemeral, Recipient.PublicKey, options);
            var m0 = Seal(initiator, "first"u8);
            var m1 = Seal(initiator, "second"u8);
            E2eSession.TryAccept(Recipient, m0, options, out var accepted);
            using var recipient = accepted!;
            var opened = new byte[m0.Length];
            recipient.TryOpen(m0, opened, out _);
            var r0 = Seal(recipient, "reply"u8);
            initiator.TryOpen(r0, opened, out _);
            var m2 = Seal(initiator, "third"u8);
            var name = $"{options.Algorithm.Name}{(options.PaddingBlock > 0 ? "-padded" : string.Empty)}";
            yield return new Seed($"{name}-conversation", Records(selector, (false, m0), (false, m1), (true, r0), (false, m2)));
            if (selector == 0)
            {
                yield return new Seed($"{name}-out-of-order", Records(0, (false, m1), (false, m0)));
                yield return new Seed($"{name}-replay", Records(0, (false, m0), (false, m0)));
                yield return new Seed($"{name}-truncated", Records(0, (false, m0[..^1])));
                yield return new Seed($"{name}-no-prekey-first", Records(0, (false, m2)));
                var badVersion = (byte[])m0.Clone();
                badVersion[0] = 2;
                yield return new Seed($"{name}-bad-version", Records(0, (false, badVersion)));
                var badFlags = (byte[])m0.Clone();
                badFlags[2] |= 0x04;
                yield return new Seed($"{name}-bad-flags", Records(0, (false, badFlags)));
                var farAhead = (byte[])m2.Clone();
                BinaryPrimitives.WriteUInt32BigEndian(farAhead.AsSpan(19), 1_000);
                yield return new Seed($"{name}-far-ahead", Records(0, (false, m0), (false, farAhead)));
            }
        }
    }

    // Bits 0-1: the algorithm; bit 2: padding. A small skipped-key window keeps a far jump cheap.
    private static E2eSessionOptions Options(byte selector) => new()
    {
        Algorithm = Algorithms[(selector & 3) % Algorithms.Length],
        Backend = AeadBackend.Sodium,
        MaxSkippedKeys = 16,
        PaddingBlock = (selector & 4) != 0 ? 32 : 0,
    };

    private static bool TryTakeRecord(ref ReadOnlySpan<byte> rest, out bool toInitiator, out ReadOnlySpan<byte> envelope)
    {
        toInitiator = false;
        envelope = default;
        if (rest.Length < 3)
        {
            return false;
        }

        toInitiator = (rest[0] & 1) != 0;
        var length = Math.Min(BinaryPrimitives.ReadUInt16BigEndian(rest[1..]), rest.Length - 3);
        envelope = rest.Slice(3, length);
        rest = rest[(3 + length)..];
        return true;
    }

    private static void CheckHeader(ReadOnlySpan<byte> envelope)
    {
        var error = E2eEnvelope.TryReadHeader(envelope, out var header);
        ContractViolation.Require(Enum.IsDefined(error), $"TryReadHeader returned {(int)error}, which is no E2eError");
        if (error != E2eError.None)
        {
            ContractViolation.Require(error is E2eError.Truncated or E2eError.UnsupportedVersion or E2eError.UnknownAlgorithm or E2eError.MalformedHeader, $"TryReadHeader refused a header with {error}");
            return;
        }

        var size = header.IsPrekey ? E2eEnvelope.PrekeyHeaderSize : E2eEnvelope.BaseHeaderSize;
        ContractViolation.Require(
            header.Bytes.Length == size && envelope.Length >= size + AeadAlgorithm.TagSizeBytes && envelope[..size].SequenceEqual(header.Bytes),
            "the header is not the envelope's first bytes, or leaves no room for the tag");
        ContractViolation.Require(
            envelope[0] == E2eEnvelope.Version && header.Algorithm == E2eEnvelope.AlgorithmFromCode(envelope[1]) && header.Flags == envelope[2]
            && header.SessionId.SequenceEqual(envelope.Slice(3, E2eEnvelope.SessionIdSize)) && header.Counter == BinaryPrimitives.ReadUInt32BigEndian(envelope[19..]),
            "a header field differs from its bytes");
        ContractViolation.Require(header.InitiatorIdentity.Length == (header.IsPrekey ? 32 : 0) && header.InitiatorEphemeral.Length == (header.IsPrekey ? 32 : 0), "prekey fields of the wrong size");
    }

    private static void CheckOpen(E2eSession session, ReadOnlySpan<byte> envelope)
    {
        var plaintext = new byte[envelope.Length];
        var error = session.TryOpen(envelope, plaintext, out var written);
        ContractViolation.Require(Enum.IsDefined(error), $"TryOpen returned {(int)error}, which is no E2eError");
        ContractViolation.Require(error != E2eError.None || (written >= 0 && written <= envelope.Length - E2eEnvelope.BaseHeaderSize - AeadAlgorithm.TagSizeBytes), $"TryOpen wrote {written} bytes from a {envelope.Length}-byte envelope");
    }

    private static byte[] Seal(E2eSession session, ReadOnlySpan<byte> plaintext)
    {
        var envelope = new byte[session.GetEnvelopeSize(plaintext.Length)];
        session.Seal(plaintext, envelope);
        return envelope;
    }

    private static byte[] Records(byte selector, params (bool ToInitiator, byte[] Envelope)[] records)
    {
        var output = new List<byte> { selector };
        foreach (var (toInitiator, envelope) in records)
        {
            output.Add(toInitiator ? (byte)1 : (byte)0);
            output.Add((byte)(envelope.Length >> 8));
            output.Add((byte)envelope.Length);
            output.AddRange(envelope);
        }

        return [.. output];
    }
}
