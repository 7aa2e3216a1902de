using System.Buffers.Binary;
using Relay.Crypto.Aead;
using Relay.Crypto.Sealed;

namespace Perf.Fuzz.Targets;

/// <summary>
/// What a conversation's peer and owner read: <see cref="MailboxTicket.TryRead"/> on the input as a
/// ticket, and <see cref="ConversationEnvelope.TryOpen"/> on it as a conversation envelope for a
/// fixed mailbox (the algorithm its second byte names). Contract: only the documented
/// <see cref="SealedSenderError"/> values, never an exception; a ticket that reads is the input's
/// first 89 bytes, field by field, and names the address its fields derive; an envelope that opens
/// gives the E2E envelope at its documented size and seals back, with its own nonce, to the input
/// (one encoding). The conversation frames themselves (OPEN_MAILBOX, MAILBOX_SEND) are in the
/// relay-frame target.
/// </summary>
internal sealed class ConversationTarget : FuzzTarget
{
    private static readonly byte[] SealingKey = FixedKeys.Counting(0x10, MailboxTicket.SealingKeySize);
    private static readonly byte[] FetchVerifier = FixedKeys.Counting(0x40, MailboxAddress.FetchVerifierSize);
    private static readonly byte[] SendToken = FixedKeys.Counting(0x70, DeliveryTokens.TokenSize);
    private static readonly byte[] Address = AddressOf(FetchVerifier, SendToken, 1_800_000_000);
    private static readonly AeadAlgorithm[] Algorithms = [AeadAlgorithm.Aes256Gcm, AeadAlgorithm.ChaCha20Poly1305, AeadAlgorithm.XChaCha20Poly1305];
    private static readonly ConversationEnvelope[] Envelopes = [.. Algorithms.Select(a => new ConversationEnvelope(a, AeadBackend.Sodium))];

    /// <inheritdoc />
    public override string Name => "conversation";

    /// <inheritdoc />
    public override string Description => "MailboxTicket.TryRead and ConversationEnvelope.TryOpen: SealedSenderError values, never an exception; what opens re-seals to the input";

    /// <inheritdoc />
    public override void Run(ReadOnlySpan<byte> input)
    {
        CheckTicket(input);
        var index = (input.Length > 1 ? input[1] : 0) % Envelopes.Length;
        var inner = new byte[input.Length];
        var error = Envelopes[index].TryOpen(SealingKey, Address, input, inner, out var innerLength);
        ContractViolation.Require(
            error is SealedSenderError.None or SealedSenderError.Truncated or SealedSenderError.UnsupportedVersion or SealedSenderError.UnknownAlgorithm or SealedSenderError.AuthenticationFailed,
            $"TryOpen returned {error}");
        if (error != SealedSenderError.None)
        {
            return;
        }

        var overhead = ConversationEnvelope.OverheadOf(Algorithms[index]);
        ContractViolation.Require(innerLength == input.Length - overhead, $"TryOpen opened {innerLength} bytes of a {input.Length}-byte envelope");
        var resealed = new byte[input.Length];
        Envelopes[index].Seal(input.Slice(2, Algorithms[index].NonceSize), SealingKey, Address, inner.AsSpan(0, innerLength), resealed);
        ContractViolation.Require(resealed.AsSpan().SequenceEqual(input), "an opened conversation envelope seals back to other bytes");
    }

    /// <inheritdoc />
    public override IEnumerable<Seed> Seeds()
    {
        var ticket = new byte[MailboxTicket.Size];
        MailboxTicket.Write(FetchVerifier, 1_800_000_000, SendToken, SealingKey, ticket);
        yield return new Seed("ticket", ticket);
        var badVersion = (byte[])ticket.Clone();
        badVersion[0] = 2;
        yield return new Seed("ticket-bad-version", badVersion);
        yield return new Seed("ticket-truncated", ticket[..^1]);
        byte[] e2e = [.. Enumerable.Range(0, 40).Select(i => (byte)(i * 3))];
        for (var i = 0; i < Envelopes.Length; i++)
        {
            var envelope = Seal(i, Address, e2e);
            yield return new Seed($"envelope-{Algorithms[i].Name}", envelope);
            if (i == 0)
            {
                var tampered = (byte[])envelope.Clone();
                tampered[^1] ^= 0x01;
                yield return new Seed("envelope-tampered", tampered);
                yield return new Seed("envelope-truncated", envelope[..(ConversationEnvelope.OverheadOf(Algorithms[0]) - 1)]);
                yield return new Seed("envelope-other-mailbox", Seal(i, AddressOf(FetchVerifier, SendToken, 1_800_000_001), e2e));
                yield return new Seed("envelope-empty-inner", Seal(i, Address, []));
            }
        }
    }

    // The contract of the ticket reader on any bytes.
    private static void CheckTicket(ReadOnlySpan<byte> bytes)
    {
        var error = MailboxTicket.TryRead(bytes, out var ticket);
        ContractViolation.Require(error is SealedSenderError.None or SealedSenderError.Truncated or SealedSenderError.UnsupportedVersion, $"MailboxTicket.TryRead returned {error}");
        ContractViolation.Require((error == SealedSenderError.None) == (bytes.Length >= MailboxTicket.Size && bytes[0] == MailboxTicket.Version), $"MailboxTicket.TryRead gave {error} for {bytes.Length} bytes");
        if (error != SealedSenderError.None)
        {
            return;
        }

        ContractViolation.Require(
            ticket.Bytes.SequenceEqual(bytes[..MailboxTicket.Size]) && ticket.FetchVerifier.SequenceEqual(bytes.Slice(1, 32)) && ticket.Expiry == BinaryPrimitives.ReadUInt64BigEndian(bytes[33..])
            && ticket.SendToken.SequenceEqual(bytes.Slice(41, 16)) && ticket.SealingKey.SequenceEqual(bytes.Slice(57, 32)),
            "a ticket field differs from its bytes");
        Span<byte> address = stackalloc byte[MailboxAddress.Size];
        ticket.Address(address);
        ContractViolation.Require(address.SequenceEqual(AddressOf(ticket.FetchVerifier.ToArray(), ticket.SendToken.ToArray(), ticket.Expiry)), "a ticket names another address than its fields derive");
    }

    private static byte[] Seal(int algorithm, byte[] address, byte[] e2e)
    {
        var envelope = new byte[ConversationEnvelope.OverheadOf(Algorithms[algorithm]) + e2e.Length];
        Envelopes[algorithm].Seal(FixedKeys.Counting(0xE0, Algorithms[algorithm].NonceSize), SealingKey, address, e2e, envelope);
        return envelope;
    }

    private static byte[] AddressOf(byte[] fetchVerifier, byte[] sendToken, ulong expiry)
    {
        var address = new byte[MailboxAddress.Size];
        MailboxAddress.FromSendToken(fetchVerifier, sendToken, expiry, address);
        return address;
    }
}
