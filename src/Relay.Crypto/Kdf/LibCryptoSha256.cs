using Relay.Crypto.Native;

namespace Relay.Crypto.Kdf;

/// <summary>
/// libcrypto's SHA-256 block functions (<c>SHA256_Init</c>/<c>SHA256_Update</c>/<c>SHA256_Final</c>),
/// which run on the SHA extensions (SHA-NI) where the CPU has them. They are OpenSSL's low-level
/// interface (deprecated in 3.0 but exported by every 3.x libcrypto): unlike <c>EVP_Digest*</c>
/// they need no fetched algorithm and no provider dispatch, and their state is a plain struct the
/// caller owns, so an HMAC key's inner and outer states are computed once and cloned by copying.
/// All calls are short (at most <see cref="ChunkBytes"/> per update) and skip the GC transition.
/// When the library or a function is missing, <see cref="IsAvailable"/> is false and callers use
/// their fallback.
/// </summary>
internal static unsafe class LibCryptoSha256
{
    /// <summary>The most bytes one update call hashes (well under a microsecond), so a long input never holds up a GC.</summary>
    public const int ChunkBytes = 1024;

    private static readonly delegate* unmanaged[SuppressGCTransition]<Sha256Context*, int> InitFunction;
    private static readonly delegate* unmanaged[SuppressGCTransition]<Sha256Context*, byte*, nuint, int> UpdateFunction;
    private static readonly delegate* unmanaged[SuppressGCTransition]<byte*, Sha256Context*, int> FinalFunction;

    // The three pointers and the flag are set together, or none is.
    static LibCryptoSha256()
    {
        var library = LibCryptoLibrary.System;
        if (!library.IsAvailable)
        {
            UnavailableReason = library.UnavailableReason;
            return;
        }

        if (!library.TryGetExport("SHA256_Init", out var init) || !library.TryGetExport("SHA256_Update", out var update) || !library.TryGetExport("SHA256_Final", out var final))
        {
            UnavailableReason = $"{library} does not export SHA256_Init/SHA256_Update/SHA256_Final (built without OpenSSL's deprecated low-level API)";
            return;
        }

        InitFunction = (delegate* unmanaged[SuppressGCTransition]<Sha256Context*, int>)init;
        UpdateFunction = (delegate* unmanaged[SuppressGCTransition]<Sha256Context*, byte*, nuint, int>)update;
        FinalFunction = (delegate* unmanaged[SuppressGCTransition]<byte*, Sha256Context*, int>)final;
        IsAvailable = true;
    }

    /// <summary>Whether libcrypto's SHA-256 can be used here.</summary>
    public static bool IsAvailable { get; }

    /// <summary>Why not, when <see cref="IsAvailable"/> is false.</summary>
    public static string? UnavailableReason { get; }

    /// <summary>Starts a SHA-256 computation in <paramref name="context"/>.</summary>
    public static void Init(Sha256Context* context) => InitFunction(context);

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
