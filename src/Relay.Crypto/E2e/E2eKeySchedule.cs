using System.Security.Cryptography;
using Relay.Crypto.Kdf;

namespace Relay.Crypto.E2e;

/// <summary>
/// Session setup, as X3DH without one-time prekeys:
/// <c>DH1 = X25519(IK_initiator, IK_recipient)</c>, <c>DH2 = X25519(EK_initiator, IK_recipient)</c>,
/// <c>okm = HKDF-SHA256(ikm = DH1 || DH2, salt = 32 zero bytes, info = "relay-e2e/1" || IK_i || IK_r || EK_i, 80)</c>;
/// session id = okm[0..16], initiator-to-recipient chain key = okm[16..48],
/// recipient-to-initiator chain key = okm[48..80].
/// </summary>
internal static class E2eKeySchedule
{
    public const int OutputSize = E2eEnvelope.SessionIdSize + (2 * SymmetricChain.KeySize);

    private static ReadOnlySpan<byte> Label => "relay-e2e/1"u8;

    public static void Derive(ReadOnlySpan<byte> dh1, ReadOnlySpan<byte> dh2, ReadOnlySpan<byte> initiatorIdentity, ReadOnlySpan<byte> recipientIdentity, ReadOnlySpan<byte> initiatorEphemeral, Span<byte> output)
    {
        Span<byte> ikm = stackalloc byte[64];
        dh1.CopyTo(ikm);
        dh2.CopyTo(ikm[32..]);
        Span<byte> info = stackalloc byte[Label.Length + 96];
        Label.CopyTo(info);
        initiatorIdentity.CopyTo(info[Label.Length..]);
        recipientIdentity.CopyTo(info[(Label.Length + 32)..]);
        initiatorEphemeral.CopyTo(info[(Label.Length + 64)..]);
        Span<byte> salt = stackalloc byte[32];
        salt.Clear();
        HkdfSha256.DeriveKey(ikm, salt, info, output);
        CryptographicOperations.ZeroMemory(ikm);
    }
}
