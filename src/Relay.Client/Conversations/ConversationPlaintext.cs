using Relay.Crypto.Sealed;

namespace Relay.Client.Conversations;

//  Conversation plaintexts (inside the E2E envelope, so the relay sees none of it):
//  set-up (sealed sender, to the peer's identity):  "relay-conversation/1" (20 ASCII) · ticket (89) · application data
//  conversation message (MAILBOX_SEND):            kind (1: 0 data, 1 ticket) · [ticket (89) when kind 1] · application data

/// <summary>
/// How a conversation's control information rides inside E2E plaintexts: the set-up message (the
/// one message addressed to the peer's identity) carries the initiator's mailbox ticket after a
/// fixed label; every message in a mailbox starts with a kind byte, and a rotation's message carries
/// the new ticket. Reading allocates nothing.
/// </summary>
public static class ConversationPlaintext
{
    /// <summary>Kind byte: application data follows.</summary>
    public const byte DataKind = 0;

    /// <summary>Kind byte: a mailbox ticket (the sender's new mailbox) follows, then application data.</summary>
    public const byte TicketKind = 1;

    /// <summary>The set-up label's bytes.</summary>
    public static ReadOnlySpan<byte> SetupLabel => "relay-conversation/1"u8;

    /// <summary>A set-up plaintext: the label, the initiator's ticket and <paramref name="data"/>.</summary>
    public static byte[] Setup(ReadOnlySpan<byte> ticket, ReadOnlySpan<byte> data)
    {
        RequireTicket(ticket);
        var plaintext = new byte[SetupLabel.Length + MailboxTicket.Size + data.Length];
        SetupLabel.CopyTo(plaintext);
        ticket.CopyTo(plaintext.AsSpan(SetupLabel.Length));
        data.CopyTo(plaintext.AsSpan(SetupLabel.Length + MailboxTicket.Size));
        return plaintext;
    }

    /// <summary>Whether <paramref name="plaintext"/> is a set-up: then the initiator's ticket and the application data.</summary>
    public static bool TryReadSetup(ReadOnlySpan<byte> plaintext, out ReadOnlySpan<byte> ticket, out ReadOnlySpan<byte> data)
    {
        ticket = default;
        data = default;
        if (!plaintext.StartsWith(SetupLabel) || MailboxTicket.TryRead(plaintext[SetupLabel.Length..], out _) != SealedSenderError.None)
        {
            return false;
        }

        ticket = plaintext.Slice(SetupLabel.Length, MailboxTicket.Size);
        data = plaintext[(SetupLabel.Length + MailboxTicket.Size)..];
        return true;
    }

    /// <summary>A conversation message: data only, or (with <paramref name="ticket"/>) the sender's new ticket first.</summary>
    public static byte[] Message(ReadOnlySpan<byte> ticket, ReadOnlySpan<byte> data)
    {
        var withTicket = !ticket.IsEmpty;
        if (withTicket)
        {
            RequireTicket(ticket);
        }

        var plaintext = new byte[1 + (withTicket ? MailboxTicket.Size : 0) + data.Length];
        plaintext[0] = withTicket ? TicketKind : DataKind;
        ticket.CopyTo(plaintext.AsSpan(1));
        data.CopyTo(plaintext.AsSpan(1 + ticket.Length));
        return plaintext;
    }

    /// <summary>Reads a conversation message: the ticket (empty for data only) and the data; false when malformed.</summary>
    public static bool TryReadMessage(ReadOnlySpan<byte> plaintext, out ReadOnlySpan<byte> ticket, out ReadOnlySpan<byte> data)
    {
        ticket = default;
        data = default;
        if (plaintext.IsEmpty)
        {
            return false;
        }

        switch (plaintext[0])
        {
            case DataKind:
                data = plaintext[1..];
                return true;
            case TicketKind when MailboxTicket.TryRead(plaintext[1..], out _) == SealedSenderError.None:
                ticket = plaintext.Slice(1, MailboxTicket.Size);
                data = plaintext[(1 + MailboxTicket.Size)..];
                return true;
            default:
                return false;
        }
    }

    private static void RequireTicket(ReadOnlySpan<byte> ticket)
    {
        if (MailboxTicket.TryRead(ticket, out _) != SealedSenderError.None || ticket.Length != MailboxTicket.Size)
        {
            throw new ArgumentException($"a mailbox ticket is {MailboxTicket.Size} bytes of version {MailboxTicket.Version}", nameof(ticket));
        }
    }
}
