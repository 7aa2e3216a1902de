using Relay.Crypto.KeyAgreement;

namespace Perf.Fuzz;

/// <summary>
/// X25519 key pairs from fixed private keys. afl-fuzz needs every run of an input to take the same
/// path, so the harnesses use these where the real code would generate fresh keys.
/// </summary>
internal static class FixedKeys
{
    /// <summary>The key pair whose private key is the bytes <paramref name="seed"/>, seed+1, ... (32 of them).</summary>
    public static X25519KeyPair Make(byte seed)
    {
        Span<byte> privateKey = stackalloc byte[X25519KeyPair.KeySize];
        for (var i = 0; i < privateKey.Length; i++)
        {
            privateKey[i] = (byte)(seed + i);
        }

        return X25519KeyPair.Import(privateKey);
    }

    /// <summary>The bytes <paramref name="first"/>, first+1, ... (<paramref name="count"/> of them): fixed keys, nonces and tokens for seeds.</summary>
    public static byte[] Counting(byte first, int count)
    {
        var bytes = new byte[count];
        for (var i = 0; i < count; i++)
        {
            bytes[i] = (byte)(first + i);
        }

        return bytes;
    }
}
