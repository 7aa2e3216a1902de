using System.Security.Cryptography;

namespace Relay.Crypto.Sealed;

/// <summary>
/// A conversation mailbox as its owner holds it: the fetch credential (only the owner's), the send
/// token and sealing key (the owner's and its one peer's), the expiry, and what follows from them
/// (the fetch and send verifiers and the address, see <see cref="MailboxAddress"/>). The owner
/// opens it on an anonymous connection (OPEN_MAILBOX: credential, send verifier, expiry) and gives
/// the peer a <see cref="MailboxTicket"/>. Every secret is fresh and random, so nothing in a mailbox
/// relates it to its owner's identity or to the owner's other mailboxes. Disposing wipes the secrets.
/// </summary>
public sealed class OwnedMailbox : IDisposable
{
    private readonly byte[] _credential = RandomNumberGenerator.GetBytes(MailboxAddress.CredentialSize);
    private readonly byte[] _sendToken = RandomNumberGenerator.GetBytes(DeliveryTokens.TokenSize);
    private readonly byte[] _sealingKey = RandomNumberGenerator.GetBytes(MailboxTicket.SealingKeySize);
    private readonly byte[] _fetchVerifier = new byte[MailboxAddress.FetchVerifierSize];
    private readonly byte[] _sendVerifier = new byte[DeliveryTokens.VerifierSize];
    private readonly byte[] _address = new byte[MailboxAddress.Size];

    /// <summary>A fresh mailbox that expires at <paramref name="expiry"/> (whole seconds; the relay caps how far ahead).</summary>
    public OwnedMailbox(DateTimeOffset expiry)
    {
        Expiry = (ulong)Math.Max(0, expiry.ToUnixTimeSeconds());
        MailboxAddress.ComputeFetchVerifier(_credential, _fetchVerifier);
        DeliveryTokens.ComputeVerifier(_sendToken, _sendVerifier);
        MailboxAddress.Compute(_fetchVerifier, _sendVerifier, Expiry, _address);
    }

    /// <summary>When it stops taking messages, Unix seconds.</summary>
    public ulong Expiry { get; }

    /// <summary>The fetch credential (secret: it lets whoever holds it read and remove the mailbox's messages).</summary>
    public ReadOnlySpan<byte> Credential => _credential;

    /// <summary>The send verifier the owner registers with OPEN_MAILBOX.</summary>
    public ReadOnlySpan<byte> SendVerifier => _sendVerifier;

    /// <summary>The send token (secret: the peer presents it).</summary>
    public ReadOnlySpan<byte> SendToken => _sendToken;

    /// <summary>The sealing key of the conversation envelopes the peer sends here (secret).</summary>
    public ReadOnlySpan<byte> SealingKey => _sealingKey;

    /// <summary>The mailbox's address (what the relay keys it by, and what its audit log shows).</summary>
    public ReadOnlySpan<byte> Address => _address;

    /// <summary>Writes the ticket for the peer (<see cref="MailboxTicket.Size"/> bytes).</summary>
    public void WriteTicket(Span<byte> destination) => MailboxTicket.Write(_fetchVerifier, Expiry, _sendToken, _sealingKey, destination);

    /// <summary>The ticket as a new array.</summary>
    public byte[] Ticket()
    {
        var ticket = new byte[MailboxTicket.Size];
        WriteTicket(ticket);
        return ticket;
    }

    /// <summary>Wipes the secrets.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_credential);
        CryptographicOperations.ZeroMemory(_sendToken);
        CryptographicOperations.ZeroMemory(_sealingKey);
    }
}
