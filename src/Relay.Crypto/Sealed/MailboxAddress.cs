using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Relay.Crypto.Sealed;

//  Conversation mailbox, version 1 (docs/protocol.md "Conversation mailboxes"); all hashes SHA-256:
//  fetch credential  c  32 random bytes, known only to the mailbox's owner
//  fetch verifier    f = SHA-256("relay-mailbox-fetch/1" || c)
//  send token        t  16 random bytes, given to the one peer that may send to the mailbox
//  send verifier     v = SHA-256("relay-delivery-verifier/1" || t)   (DeliveryTokens.ComputeVerifier)
//  address           a = SHA-256("relay-mailbox/1" || f || v || expiry (8, Unix seconds, big-endian))

/// <summary>
/// How a conversation mailbox's address is made from what its owner and its peer hold, so the
/// relay can check both kinds of access without keeping any state: the owner proves it may fetch
/// by showing the fetch credential <c>c</c> (the relay hashes it to <c>f</c>, and with the send
/// verifier the owner names rebuilds the address); the peer proves it may send by showing the send
/// token <c>t</c> (the relay hashes it to <c>v</c>, and with the fetch verifier and expiry the peer
/// names rebuilds the address). The expiry is part of the address, so nobody can extend a mailbox's
/// life without changing its address. An address is a SHA-256 output: it cannot be made equal to an
/// identity key (or another mailbox) without a preimage, so mailboxes and identities share one
/// namespace safely. Allocates nothing.
/// </summary>
public static class MailboxAddress
{
    /// <summary>Bytes of a fetch credential.</summary>
    public const int CredentialSize = 32;

    /// <summary>Bytes of a fetch verifier.</summary>
    public const int FetchVerifierSize = 32;

    /// <summary>Bytes of an address.</summary>
    public const int Size = 32;

    private static ReadOnlySpan<byte> FetchLabel => "relay-mailbox-fetch/1"u8;

    private static ReadOnlySpan<byte> AddressLabel => "relay-mailbox/1"u8;

    /// <summary>The fetch verifier <c>f</c> of a fetch credential.</summary>
    /// <exception cref="ArgumentException">A size is wrong.</exception>
    public static void ComputeFetchVerifier(ReadOnlySpan<byte> credential, Span<byte> fetchVerifier)
    {
        Require(credential.Length == CredentialSize, "a fetch credential is 32 bytes", nameof(credential));
        Require(fetchVerifier.Length == FetchVerifierSize, "a fetch verifier is 32 bytes", nameof(fetchVerifier));
        Span<byte> message = stackalloc byte[FetchLabel.Length + CredentialSize];
        FetchLabel.CopyTo(message);
        credential.CopyTo(message[FetchLabel.Length..]);
        SHA256.HashData(message, fetchVerifier);
        CryptographicOperations.ZeroMemory(message);
    }

    /// <summary>The address <c>a</c> of the mailbox with fetch verifier <c>f</c>, send verifier <c>v</c> and <paramref name="expiryUnixSeconds"/>.</summary>
    /// <exception cref="ArgumentException">A size is wrong.</exception>
    public static void Compute(ReadOnlySpan<byte> fetchVerifier, ReadOnlySpan<byte> sendVerifier, ulong expiryUnixSeconds, Span<byte> address)
    {
        Require(fetchVerifier.Length == FetchVerifierSize, "a fetch verifier is 32 bytes", nameof(fetchVerifier));
        Require(sendVerifier.Length == DeliveryTokens.VerifierSize, "a send verifier is 32 bytes", nameof(sendVerifier));
        Require(address.Length == Size, "an address is 32 bytes", nameof(address));
        Span<byte> message = stackalloc byte[AddressLabel.Length + FetchVerifierSize + DeliveryTokens.VerifierSize + 8];
        AddressLabel.CopyTo(message);
        fetchVerifier.CopyTo(message[AddressLabel.Length..]);
        sendVerifier.CopyTo(message[(AddressLabel.Length + FetchVerifierSize)..]);
        BinaryPrimitives.WriteUInt64BigEndian(message[^8..], expiryUnixSeconds);
        SHA256.HashData(message, address);
    }

    /// <summary>The address a fetcher opens: from its credential, the send verifier it registered and the expiry (OPEN_MAILBOX).</summary>
    public static void FromCredential(ReadOnlySpan<byte> credential, ReadOnlySpan<byte> sendVerifier, ulong expiryUnixSeconds, Span<byte> address)
    {
        Span<byte> fetchVerifier = stackalloc byte[FetchVerifierSize];
        ComputeFetchVerifier(credential, fetchVerifier);
        Compute(fetchVerifier, sendVerifier, expiryUnixSeconds, address);
    }

    /// <summary>The address a sender writes to: from the fetch verifier and expiry its ticket names and the send token it holds (MAILBOX_SEND).</summary>
    public static void FromSendToken(ReadOnlySpan<byte> fetchVerifier, ReadOnlySpan<byte> sendToken, ulong expiryUnixSeconds, Span<byte> address)
    {
        Span<byte> sendVerifier = stackalloc byte[DeliveryTokens.VerifierSize];
        DeliveryTokens.ComputeVerifier(sendToken, sendVerifier);
        Compute(fetchVerifier, sendVerifier, expiryUnixSeconds, address);
    }

    private static void Require(bool condition, string message, string name)
    {
        if (!condition)
        {
            throw new ArgumentException(message, name);
        }
    }
}
