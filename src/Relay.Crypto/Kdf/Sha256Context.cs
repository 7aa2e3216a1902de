using System.Runtime.InteropServices;

namespace Relay.Crypto.Kdf;

/// <summary>
/// OpenSSL's <c>SHA256_CTX</c> (<c>openssl/sha.h</c>: eight state words, the bit count, a 64-byte
/// block buffer, two counters; 112 bytes), held by value so a keyed HMAC state is cloned by a plain
/// struct copy, with no native allocation or call. Sized 128 bytes: room to spare if a build ever
/// laid it out larger, so OpenSSL could never write past it.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 128)]
internal struct Sha256Context
{
    private long _first;
}
