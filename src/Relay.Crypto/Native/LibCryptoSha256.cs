namespace Relay.Crypto.Native;

/// <summary>
/// libcrypto's SHA-256 functions (<c>SHA256_Init</c>/<c>_Update</c>/<c>_Final</c>/<c>_Transform</c>),
/// which run on the SHA extensions (SHA-NI) where the CPU has them. They are OpenSSL's low-level
/// interface (deprecated in 3.0 but exported by every 3.x libcrypto): unlike <c>EVP_Digest*</c>
/// they need no fetched algorithm and no provider dispatch, and their state is a plain struct the
/// caller owns, so an HMAC key's inner and outer states are computed once and cloned by copying;
/// <c>SHA256_Transform</c> compresses one block the caller has already padded, the whole cost of a
/// short HMAC's final blocks. All calls are short (at most <see cref="ChunkBytes"/> per update) and
/// skip the GC transition. When the library or a function is missing, <see cref="IsAvailable"/>
/// is false and callers use their fallback.
/// </summary>
internal static unsafe class LibCryptoSha256
{
    /// <summary>The most bytes one update call hashes (well under a microsecond), so a long input never holds up a GC.</summary>
    public const int ChunkBytes = 1024;

    private static readonly delegate* unmanaged[SuppressGCTransition]<Sha256Context*, int> InitFunction;
    private static readonly delegate* unmanaged[SuppressGCTransition]<Sha256Context*, byte*, nuint, int> UpdateFunction;
    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, Sha256Context*, int> FinalFunction;
    private static readonly delegate* unmanaged[SuppressGCTransition]<Sha256Context*, byte*, void> TransformFunction;
    private static readonly Sha256Context Initial;

    // The three pointers and the flag are set together, or none is.
    static LibCryptoSha256()
    {
        var library = LibCryptoLibrary.System;
        if (!library.IsAvailable)
        {
            UnavailableReason = library.UnavailableReason;
            return;
        }

        if (!library.TryGetExport("SHA256_Init", out var init) || !library.TryGetExport("SHA256_Update", out var update)
            || !library.TryGetExport("SHA256_Final", out var final) || !library.TryGetExport("SHA256_Transform", out var transform))
        {
            UnavailableReason = $"{library} does not export SHA256_Init/_Update/_Final/_Transform (built without OpenSSL's deprecated low-level API)";
            return;
        }

        InitFunction = (delegate* unmanaged[SuppressGCTransition]<Sha256Context*, int>)init;
        UpdateFunction = (delegate* unmanaged[SuppressGCTransition]<Sha256Context*, byte*, nuint, int>)update;
        FinalFunction = (delegate* unmanaged[SuppressGCTransition]<byte*, Sha256Context*, int>)final;
        TransformFunction = (delegate* unmanaged[SuppressGCTransition]<Sha256Context*, byte*, void>)transform;
        Sha256Context initial;
        InitFunction(&initial);
        Initial = initial;
        InitialChainingValue = Sha256Context.LoadChainingValue(&initial);
        IsAvailable = true;
    }

    /// <summary>Whether libcrypto's SHA-256 can be used here.</summary>
    public static bool IsAvailable { get; }

    /// <summary>Why not, when <see cref="IsAvailable"/> is false.</summary>
    public static string? UnavailableReason { get; }

    /// <summary>Starts a SHA-256 computation in <paramref name="context"/> (a copy of the state <c>SHA256_Init</c> gave once).</summary>
    public static void Init(Sha256Context* context) => *context = Initial;

    /// <summary>SHA-256's initial chaining value (FIPS 180-4's H(0)), as <c>SHA256_Init</c> sets it.</summary>
    public static ChainingValue InitialChainingValue { get; }

    /// <summary>Compresses one 64-byte <paramref name="block"/> into the chaining value of <paramref name="context"/> (its counters are left alone).</summary>
    public static void Transform(Sha256Context* context, byte* block) => TransformFunction(context, block);

    /// <summary>Hashes <paramref name="data"/> into <paramref name="context"/>, a chunk per call.</summary>
    public static void Update(Sha256Context* context, ReadOnlySpan<byte> data)
    {
        fixed (byte* start = data)
        {
            var p = start;
            var left = data.Length;
            while (left > ChunkBytes)
            {
                UpdateFunction(context, p, ChunkBytes);
                p += ChunkBytes;
                left -= ChunkBytes;
            }

            if (left > 0)
            {
                UpdateFunction(context, p, (nuint)left);
            }
        }
    }

    /// <summary>Finishes the computation: the 32-byte digest into <paramref name="digest"/>.</summary>
    public static void Final(Sha256Context* context, byte* digest) => FinalFunction(digest, context);
}
