using System.Security.Cryptography;
using Relay.Crypto.Kdf;

namespace Relay.Crypto.Sealed;

/// <summary>
/// Abuse control for anonymous (sealed-sender) delivery, after Signal's unidentified-access key:
/// a recipient keeps a 32-byte <em>delivery secret</em> and gives it to its contacts; from it
/// they derive the recipient's 16-byte delivery token and present it with every SEALED_SEND.
/// The relay stores only a verifier (a hash of the token) the recipient registered over its
/// authenticated connection, so a stranger without the secret cannot fill a mailbox anonymously,
/// and a leak of the relay's verifiers lets nobody send. The token is the same for every contact,
/// so it tells the relay nothing about which contact sent.
/// <code>
/// token    = HMAC-SHA256(delivery secret, "relay-delivery-token/1" || recipient identity)[0..16]
/// verifier = SHA-256("relay-delivery-verifier/1" || token)
/// </code>
/// </summary>
public static class DeliveryTokens
{
    /// <summary>Bytes of a delivery secret.</summary>
    public const int SecretSize = 32;

    /// <summary>Bytes of a delivery token.</summary>
    public const int TokenSize = 16;

    /// <summary>Bytes of a verifier.</summary>
    public const int VerifierSize = 32;

    private static ReadOnlySpan<byte> TokenLabel => "relay-delivery-token/1"u8;

    private static ReadOnlySpan<byte> VerifierLabel => "relay-delivery-verifier/1"u8;

    /// <summary>A fresh random delivery secret.</summary>
    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretSize);

    /// <summary>Derives the recipient's delivery token from its delivery secret.</summary>
    /// <exception cref="ArgumentException">A size is wrong.</exception>
    public static void DeriveToken(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> recipientIdentity, Span<byte> token)
    {
        Require(secret.Length == SecretSize, "the delivery secret is 32 bytes", nameof(secret));
        Require(recipientIdentity.Length == 32, "an identity is 32 bytes", nameof(recipientIdentity));
        Require(token.Length == TokenSize, "a delivery token is 16 bytes", nameof(token));
        Span<byte> message = stackalloc byte[TokenLabel.Length + 32];
        TokenLabel.CopyTo(message);
        recipientIdentity.CopyTo(message[TokenLabel.Length..]);
        Span<byte> mac = stackalloc byte[HmacSha256.TagSize];
        HmacSha256.Compute(secret, message, mac);
        mac[..TokenSize].CopyTo(token);
        CryptographicOperations.ZeroMemory(mac);
    }

    /// <summary>The verifier of a token: what the recipient registers and the relay compares against. Allocates nothing.</summary>
    public static void ComputeVerifier(ReadOnlySpan<byte> token, Span<byte> verifier)
    {
        Require(token.Length == TokenSize, "a delivery token is 16 bytes", nameof(token));
        Require(verifier.Length == VerifierSize, "a verifier is 32 bytes", nameof(verifier));
        Span<byte> message = stackalloc byte[VerifierLabel.Length + TokenSize];
        VerifierLabel.CopyTo(message);
        token.CopyTo(message[VerifierLabel.Length..]);
        SHA256.HashData(message, verifier);
    }

    /// <summary>Whether <paramref name="token"/> matches <paramref name="verifier"/>, in constant time. Allocates nothing.</summary>
    public static bool Matches(ReadOnlySpan<byte> token, ReadOnlySpan<byte> verifier)
    {
        if (token.Length != TokenSize || verifier.Length != VerifierSize)
        {
            return false;
        }

        Span<byte> computed = stackalloc byte[VerifierSize];
        ComputeVerifier(token, computed);
        return CryptographicOperations.FixedTimeEquals(computed, verifier);
    }

    private static void Require(bool condition, string message, string name)
    {
        if (!condition)
        {
            throw new ArgumentException(message, name);
        }
    }
}
