using System.Runtime.InteropServices;

namespace Relay.Crypto.Native;

/// <summary>
/// OpenSSL 3's <c>OSSL_PARAM</c> (<c>openssl/core.h</c>): a key, a type, a pointer to the data
/// and its size. An array ends with an entry whose key is null (<c>default</c>). Built on the
/// stack per call, so passing the AEAD tag allocates nothing.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct OsslParam
{
    /// <summary><c>OSSL_PARAM_OCTET_STRING</c>.</summary>
    private const uint OctetString = 5;

    /// <summary><c>OSSL_PARAM_UNMODIFIED</c>: the return size before OpenSSL writes it.</summary>
    private static readonly nuint Unmodified = nuint.MaxValue;

    private byte* _key;
    private uint _dataType;
    private void* _data;
    private nuint _dataSize;
    private nuint _returnSize;

    /// <summary><c>OSSL_CIPHER_PARAM_AEAD_TAG</c> over <paramref name="length"/> bytes at <paramref name="tag"/>.</summary>
    public static OsslParam AeadTag(byte* tag, int length) => new()
    {
        _key = TagName,
        _dataType = OctetString,
        _data = tag,
        _dataSize = (nuint)length,
        _returnSize = Unmodified,
    };

    // A UTF-8 literal lives in the assembly's read-only data, so its address never moves.
    private static byte* TagName => (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetReference("tag\0"u8));
}
