using Relay.Crypto.KeyAgreement;

namespace Perf.Cli.Relay;

/// <summary>
/// The relay's key file: the 32-byte X25519 private key as one line of base64. <c>--key FILE</c>
/// loads it, or creates it (mode 0600) when absent, so a relay keeps its identity across restarts.
/// </summary>
internal static class RelayKeyFile
{
    public static X25519KeyPair LoadOrCreate(string path, out bool created)
    {
        if (File.Exists(path))
        {
            created = false;
            var text = File.ReadAllText(path).Trim();
            Span<byte> key = stackalloc byte[36];
            if (!Convert.TryFromBase64String(text, key, out var written) || written != 32)
            {
                throw new FormatException($"{path} does not hold a key: expected one line of base64 encoding 32 bytes");
            }

            return X25519KeyPair.Import(key[..32]);
        }

        var pair = X25519KeyPair.Generate();
        Span<byte> secret = stackalloc byte[32];
        pair.ExportPrivateKey(secret);
        File.WriteAllText(path, Convert.ToBase64String(secret) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        System.Security.Cryptography.CryptographicOperations.ZeroMemory(secret);
        created = true;
        return pair;
    }
}
