using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Relay.Crypto.Kdf;
using Relay.Crypto.Native;

namespace Relay.Crypto.E2e;

/// <summary>
/// Signal's symmetric-key ratchet over HMAC-SHA256: from chain key <c>ck</c>, the message key
/// is <c>HMAC(ck, 0x01)</c> and the next chain key <c>HMAC(ck, 0x02)</c>. Each message key is
/// used once and the chain only moves forward, so a stolen chain key does not open earlier
/// messages. A step is six SHA-256 compressions on libcrypto (SHA-NI where the CPU has it): the
/// chain key's inner and outer pad blocks once (<see cref="HmacSha256Key"/>), then an inner and an
/// outer final block per HMAC, with no algorithm fetch or allocation. Without OpenSSL 3's
/// libcrypto it runs on libsodium's raw-key HMAC-SHA256 as before (four compressions per HMAC,
/// no SHA-NI). The figures are in <c>E2eSessionBenchmarks</c>' comment.
/// </summary>
public static unsafe class SymmetricChain
{
    /// <summary>Chain and message key size.</summary>
    public const int KeySize = 32;

    // HMAC's inner final blocks for the constant inputs 0x01 and 0x02, padded once.
    private static readonly byte[] MessageKeyBlock = PaddedBlock(0x01);
    private static readonly byte[] ChainKeyBlock = PaddedBlock(0x02);

    /// <summary>Writes the message key for <paramref name="chainKey"/> (32 bytes) and advances the chain in place.</summary>
    /// <exception cref="ArgumentException">A key that is not 32 bytes.</exception>
    public static void Step(Span<byte> chainKey, Span<byte> messageKey)
    {
        if (chainKey.Length != KeySize || messageKey.Length != KeySize)
        {
            throw new ArgumentException($"Chain and message keys are {KeySize} bytes.");
        }

        if (LibCryptoSha256.IsAvailable)
        {
            StepOnLibCrypto(chainKey, messageKey);
        }
        else
        {
            StepOnLibSodium(chainKey, messageKey);
        }
    }

    /// <summary>The step on libcrypto's SHA-256; internal so tests hold it to the fallback's bytes.</summary>
    internal static void StepOnLibCrypto(Span<byte> chainKey, Span<byte> messageKey)
    {
        var key = HmacSha256Key.Create(chainKey);
        key.ComputePairOfPadded(MessageKeyBlock, ChainKeyBlock, messageKey, chainKey);
        key.Clear();
    }

    private static byte[] PaddedBlock(byte input)
    {
        var block = new byte[64];
        if (LibCryptoSha256.IsAvailable)
        {
            HmacSha256Key.PadMessage([input], block);
        }

        return block;
    }

    /// <summary>The step on libsodium's HMAC-SHA256, for machines without libcrypto.</summary>
    internal static void StepOnLibSodium(Span<byte> chainKey, Span<byte> messageKey)
    {
        LibSodium.EnsureInitialized();
        byte messageInput = 0x01;
        byte chainInput = 0x02;
        Span<byte> next = stackalloc byte[KeySize];
        fixed (byte* ck = &MemoryMarshal.GetReference(chainKey))
        fixed (byte* mk = &MemoryMarshal.GetReference(messageKey))
        fixed (byte* nk = &MemoryMarshal.GetReference(next))
        {
            LibSodium.crypto_auth_hmacsha256(mk, &messageInput, 1, ck);
            LibSodium.crypto_auth_hmacsha256(nk, &chainInput, 1, ck);
        }

        next.CopyTo(chainKey);
        CryptographicOperations.ZeroMemory(next);
    }
}
