using System.Runtime.InteropServices;

namespace Relay.Crypto.Native;

/// <summary>
/// One entry of what <c>OSSL_PROVIDER_query_operation</c> returns (<c>OSSL_ALGORITHM</c>,
/// <c>openssl/core.h</c>): the algorithm's colon-separated names, its property definition, its
/// dispatch table and a description. The array ends with an entry whose names are null.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct OsslAlgorithm
{
    public byte* Names;
    public byte* PropertyDefinition;
    public OsslDispatch* Implementation;
    public byte* Description;
}

/// <summary>
/// One function of a provider's dispatch table (<c>OSSL_DISPATCH</c>): its number
/// (<c>OSSL_FUNC_CIPHER_*</c> in <c>openssl/core_dispatch.h</c>) and address. The table ends with number 0.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct OsslDispatch
{
    public int FunctionId;
    public IntPtr Function;
}
