using System.Buffers.Binary;
using System.Security.Cryptography;
using CsCheck;
using Perf.Testing.Allocations;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.Sealed;

namespace Relay.Crypto.Tests.Sealed;

/// <summary>
/// Conversation mailboxes in the crypto layer: the owner's, the peer's and the relay's ways to the
/// address agree, and any change of credential, token or expiry gives another address; a ticket
/// reads back what was written and refuses short or foreign bytes; a conversation envelope opens
/// only with its mailbox's key and address, whole and unaltered, and hides the E2E header.
/// </summary>
public sealed class ConversationMailboxTests : IDisposable
{
    private readonly ConversationEnvelope _envelope = new(AeadAlgorithm.Aes256Gcm, AeadBackend.Sodium);

    public void Dispose() => _envelope.Dispose();

    [Fact]
    public void The_owner_the_peer_and_the_relay_derive_the_same_address_and_it_is_the_documented_hash()
    {
        using var mailbox = new OwnedMailbox(DateTimeOffset.FromUnixTimeSeconds(1_900_000_000));
        Span<byte> fromCredential = stackalloc byte[32];
        Span<byte> fromTicket = stackalloc byte[32];
        MailboxAddress.FromCredential(mailbox.Credential, mailbox.SendVerifier, mailbox.Expiry, fromCredential);
        Assert.Equal(SealedSenderError.None, MailboxTicket.TryRead(mailbox.Ticket(), out var ticket));
        ticket.Address(fromTicket);

        var f = SHA256.HashData([.. "relay-mailbox-fetch/1"u8, .. mailbox.Credential]);
        var v = SHA256.HashData([.. "relay-delivery-verifier/1"u8, .. mailbox.SendToken]);
        var expiry = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(expiry, 1_900_000_000);
        var expected = SHA256.HashData([.. "relay-mailbox/1"u8, .. f, .. v, .. expiry]);
        Assert.Equal(expected, mailbox.Address.ToArray());
        Assert.Equal(expected, fromCredential.ToArray());
        Assert.Equal(expected, fromTicket.ToArray());
        Assert.Equal(f, ticket.FetchVerifier.ToArray());
        Assert.Equal(mailbox.SendToken.ToArray(), ticket.SendToken.ToArray());
        Assert.Equal(mailbox.SealingKey.ToArray(), ticket.SealingKey.ToArray());
        Assert.Equal(1_900_000_000UL, ticket.Expiry);
    }

    [Fact]
    public void Another_expiry_token_or_credential_is_another_mailbox_and_fresh_mailboxes_share_nothing()
    {
        using var mailbox = new OwnedMailbox(DateTimeOffset.FromUnixTimeSeconds(1_900_000_000));
        using var other = new OwnedMailbox(DateTimeOffset.FromUnixTimeSeconds(1_900_000_000));
        Span<byte> address = stackalloc byte[32];
        Assert.Equal(SealedSenderError.None, MailboxTicket.TryRead(mailbox.Ticket(), out var ticket));

        MailboxAddress.FromSendToken(ticket.FetchVerifier, ticket.SendToken, ticket.Expiry + 1, address); // a later expiry
        Assert.False(address.SequenceEqual(mailbox.Address));
        MailboxAddress.FromSendToken(ticket.FetchVerifier, other.SendToken, ticket.Expiry, address);      // another token
        Assert.False(address.SequenceEqual(mailbox.Address));
        MailboxAddress.FromCredential(other.Credential, mailbox.SendVerifier, mailbox.Expiry, address);   // another credential
        Assert.False(address.SequenceEqual(mailbox.Address));
        Assert.False(other.Address.SequenceEqual(mailbox.Address));
        Assert.False(other.SealingKey.SequenceEqual(mailbox.SealingKey));
    }

    [Fact]
    public void A_ticket_refuses_short_or_unknown_version_bytes()
    {
        using var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
        var bytes = mailbox.Ticket();
        Assert.Equal(89, bytes.Length);
        Assert.Equal(SealedSenderError.Truncated, MailboxTicket.TryRead(bytes.AsSpan(0, 88), out _));
        Assert.Equal(SealedSenderError.Truncated, MailboxTicket.TryRead([], out _));
        bytes[0] = 2;
        Assert.Equal(SealedSenderError.UnsupportedVersion, MailboxTicket.TryRead(bytes, out _));
        Assert.Throws<ArgumentException>(() => MailboxTicket.Write(new byte[31], 1, new byte[16], new byte[32], new byte[89]));
    }

    [Theory]
    [InlineData("chacha20-poly1305", 30)]
    [InlineData("aes-256-gcm", 30)]
    [InlineData("xchacha20-poly1305", 42)]
    public void An_envelope_opens_for_its_mailbox_with_the_documented_overhead(string algorithm, int overhead)
    {
        using var envelope = new ConversationEnvelope(AeadAlgorithm.Parse(algorithm), AeadBackend.Sodium);
        using var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
        var inner = RandomNumberGenerator.GetBytes(100);
        var sealedBytes = new byte[overhead + inner.Length];
        Assert.Equal(sealedBytes.Length, envelope.Seal(mailbox.SealingKey, mailbox.Address, inner, sealedBytes));
        Assert.Equal(overhead, envelope.Overhead);
        Assert.Equal(overhead, ConversationEnvelope.OverheadOf(AeadAlgorithm.Parse(algorithm)));

        var opened = new byte[sealedBytes.Length];
        Assert.Equal(SealedSenderError.None, envelope.TryOpen(mailbox.SealingKey, mailbox.Address, sealedBytes, opened, out var length));
        Assert.Equal(inner, opened[..length]);
        Assert.Equal(-1, sealedBytes.AsSpan().IndexOf(inner.AsSpan(0, 16))); // the E2E header is not in the clear
    }

    [Fact]
    public void An_envelope_is_refused_by_name_for_another_key_another_mailbox_any_changed_byte_or_a_short_or_foreign_header()
    {
        using var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
        using var other = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
        var sealedBytes = new byte[30 + 50];
        _envelope.Seal(mailbox.SealingKey, mailbox.Address, new byte[50], sealedBytes);
        var inner = new byte[sealedBytes.Length];
        Assert.Equal(SealedSenderError.AuthenticationFailed, _envelope.TryOpen(other.SealingKey, mailbox.Address, sealedBytes, inner, out _));
        Assert.Equal(SealedSenderError.AuthenticationFailed, _envelope.TryOpen(mailbox.SealingKey, other.Address, sealedBytes, inner, out _));
        for (var i = 2; i < sealedBytes.Length; i += 7)
        {
            var altered = (byte[])sealedBytes.Clone();
            altered[i] ^= 0x40;
            Assert.Equal(SealedSenderError.AuthenticationFailed, _envelope.TryOpen(mailbox.SealingKey, mailbox.Address, altered, inner, out _));
        }

        Assert.Equal(SealedSenderError.Truncated, _envelope.TryOpen(mailbox.SealingKey, mailbox.Address, sealedBytes.AsSpan(0, 29), inner, out _));
        Assert.Equal(SealedSenderError.Truncated, _envelope.TryOpen(mailbox.SealingKey, mailbox.Address, [], inner, out _));
        var foreign = (byte[])sealedBytes.Clone();
        foreign[0] = 9;
        Assert.Equal(SealedSenderError.UnsupportedVersion, _envelope.TryOpen(mailbox.SealingKey, mailbox.Address, foreign, inner, out _));
        foreign[0] = 1;
        foreign[1] = 1; // chacha: not this opener's algorithm
        Assert.Equal(SealedSenderError.UnknownAlgorithm, _envelope.TryOpen(mailbox.SealingKey, mailbox.Address, foreign, inner, out _));
    }

    [Fact]
    public void Two_seals_of_the_same_message_differ_so_the_relay_cannot_match_repeats()
    {
        using var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
        var first = new byte[30 + 10];
        var second = new byte[30 + 10];
        _envelope.Seal(mailbox.SealingKey, mailbox.Address, new byte[10], first);
        _envelope.Seal(mailbox.SealingKey, mailbox.Address, new byte[10], second);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void The_smallest_valid_envelopes_and_the_sealed_overheads_are_the_documented_sizes()
    {
        Assert.Equal(69, ConversationEnvelope.MinimumSize);
        Assert.Equal(194, SealedSenderEnvelope.MinimumSize);
        Assert.Equal(194, SealedSenderEnvelope.Overhead + E2eEnvelope.BaseHeaderSize + 16);   // steady state
        Assert.Equal(258, SealedSenderEnvelope.Overhead + E2eEnvelope.PrekeyHeaderSize + 16); // first messages (prekey form)
    }

    [Fact]
    public void Padding_leaves_room_for_the_sealed_layer_so_a_padded_sealed_envelope_fits_the_frame_limit()
    {
        Assert.Equal(65_000, PaddingScheme.MaxPaddedLength + E2eEnvelope.PrekeyHeaderSize + 16 + SealedSenderEnvelope.Overhead);
        foreach (var scheme in new[] { PaddingScheme.Padme, PaddingScheme.PowerOfTwo, PaddingScheme.Block(4096) })
        {
            for (var length = 60_000; length <= PaddingScheme.MaxPaddedLength; length += 97)
            {
                Assert.True(SealedSenderEnvelope.SealedSize(E2eEnvelope.PrekeyHeaderSize + scheme.PaddedLength(length) + 16) <= 65_000, $"{scheme} at {length}");
            }
        }
    }

    [Fact]
    public void Sealing_opening_and_reading_a_ticket_allocate_nothing()
    {
        using var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
        var ticketBytes = mailbox.Ticket();
        var inner = new byte[64];
        var sealedBytes = new byte[30 + 64];
        var opened = new byte[64];
        var key = mailbox.SealingKey.ToArray();
        var address = mailbox.Address.ToArray();
        Allocations.AssertNone(() => _envelope.Seal(key, address, inner, sealedBytes));
        Allocations.AssertNone(() => _envelope.TryOpen(key, address, sealedBytes, opened, out _));
        Allocations.AssertNone(() =>
        {
            MailboxTicket.TryRead(ticketBytes, out var ticket);
            Span<byte> a = stackalloc byte[32];
            ticket.Address(a);
        });
    }

    [Fact]
    public void Property_any_bytes_are_refused_by_name_never_thrown_and_a_sealed_envelope_always_round_trips()
    {
        using var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
        var key = mailbox.SealingKey.ToArray();
        var address = mailbox.Address.ToArray();
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            var inner = new byte[Math.Max(0, bytes.Length)];
            var error = _envelope.TryOpen(key, address, bytes, inner, out var length);
            Assert.True(error is SealedSenderError.Truncated or SealedSenderError.UnsupportedVersion or SealedSenderError.UnknownAlgorithm or SealedSenderError.AuthenticationFailed, error.ToString());
            Assert.Equal(0, length);
            var ticket = MailboxTicket.TryRead(bytes, out _);
            Assert.True(ticket is SealedSenderError.None or SealedSenderError.Truncated or SealedSenderError.UnsupportedVersion);
        });
        Gen.Byte.Array[0, 2000].Sample(message =>
        {
            var sealedBytes = new byte[30 + message.Length];
            _envelope.Seal(key, address, message, sealedBytes);
            var opened = new byte[sealedBytes.Length];
            Assert.Equal(SealedSenderError.None, _envelope.TryOpen(key, address, sealedBytes, opened, out var length));
            Assert.Equal(message, opened[..length]);
        });
    }
}
