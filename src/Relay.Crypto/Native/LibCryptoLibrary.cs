using System.Runtime.InteropServices;

namespace Relay.Crypto.Native;

/// <summary>
/// The system's OpenSSL 3 <c>libcrypto</c>, loaded with <see cref="NativeLibrary"/>: by default the
/// same library .NET's own cryptography loads (<c>libcrypto.so.3</c> on Linux), or the file named by
/// <c>RELAY_LIBCRYPTO_PATH</c>. A library that is absent, cannot be loaded, or is older than
/// OpenSSL 3.0 is not an error here: <see cref="IsAvailable"/> is false and
/// <see cref="UnavailableReason"/> says which, so every user can report it or fall back.
/// The handle is never freed: function pointers taken from it live as long as the process.
/// </summary>
internal sealed class LibCryptoLibrary
{
    /// <summary>The environment variable that names another libcrypto to load (a path or a file name).</summary>
    public const string PathVariable = "RELAY_LIBCRYPTO_PATH";

    /// <summary>OpenSSL 3.0.0 as <c>OpenSSL_version_num</c> reports it (0xMNN00PP0L).</summary>
    private const ulong MinimumVersion = 0x3000_0000;

    private static readonly Lazy<LibCryptoLibrary> SystemLibrary = new(() => Load(Environment.GetEnvironmentVariable(PathVariable)));

    private readonly IntPtr _handle;

    private LibCryptoLibrary(string name, IntPtr handle, string? version, string? unavailableReason)
    {
        Name = name;
        _handle = handle;
        Version = version;
        UnavailableReason = unavailableReason;
    }

    /// <summary>The library .NET uses (or <c>RELAY_LIBCRYPTO_PATH</c>'s), loaded on first use.</summary>
    public static LibCryptoLibrary System => SystemLibrary.Value;

    /// <summary>The file name or path the library was loaded from (or tried).</summary>
    public string Name { get; }

    /// <summary>OpenSSL's own version line, e.g. <c>OpenSSL 3.0.19 27 Jan 2026</c>; null when not loaded.</summary>
    public string? Version { get; }

    /// <summary>Whether the library loaded and is OpenSSL 3.0 or newer.</summary>
    public bool IsAvailable => UnavailableReason is null;

    /// <summary>Why the library cannot be used (absent, unloadable, too old); null when it can.</summary>
    public string? UnavailableReason { get; }

    /// <summary>
    /// Loads <paramref name="nameOrPath"/>, or this platform's OpenSSL 3 libcrypto when it is null or
    /// empty. Never throws for a missing or unusable library: the result says why instead.
    /// </summary>
    public static LibCryptoLibrary Load(string? nameOrPath)
    {
        var candidates = string.IsNullOrWhiteSpace(nameOrPath) ? DefaultNames() : [nameOrPath];
        var failures = new List<string>();
        foreach (var candidate in candidates)
        {
            if (!NativeLibrary.TryLoad(candidate, out var handle))
            {
                failures.Add(candidate);
                continue;
            }

            return Inspect(candidate, handle);
        }

        return new LibCryptoLibrary(string.Join(", ", candidates), IntPtr.Zero, null, $"libcrypto could not be loaded (tried {string.Join(", ", failures)}: not found or not loadable)");
    }

    /// <summary>Finds an exported function; false when this library does not export it.</summary>
    public bool TryGetExport(string name, out IntPtr address)
    {
        address = IntPtr.Zero;
        return _handle != IntPtr.Zero && NativeLibrary.TryGetExport(_handle, name, out address);
    }

    /// <inheritdoc />
    public override string ToString() => Version is null ? Name : $"{Name} ({Version})";

    private static string[] DefaultNames()
    {
        if (OperatingSystem.IsWindows())
        {
            return ["libcrypto-3-x64.dll", "libcrypto-3.dll"];
        }

        return OperatingSystem.IsMacOS() ? ["libcrypto.3.dylib"] : ["libcrypto.so.3"];
    }

    private static unsafe LibCryptoLibrary Inspect(string name, IntPtr handle)
    {
        if (!NativeLibrary.TryGetExport(handle, "OpenSSL_version_num", out var versionNum)
            || !NativeLibrary.TryGetExport(handle, "OpenSSL_version", out var versionText))
        {
            return new LibCryptoLibrary(name, handle, null, $"{name} is not OpenSSL's libcrypto (it exports no OpenSSL_version_num/OpenSSL_version; OpenSSL 1.0 and older lack them)");
        }

        // unsigned long: 32 bits on Windows, 64 on Linux; the version fits in the low 32 either way.
        var number = (ulong)((delegate* unmanaged<uint>)versionNum)();
        var text = Marshal.PtrToStringUTF8((IntPtr)((delegate* unmanaged<int, byte*>)versionText)(0)) ?? $"0x{number:x}";
        return number < MinimumVersion
            ? new LibCryptoLibrary(name, handle, text, $"{name} is {text}; the libcrypto code here needs OpenSSL 3.0 or newer")
            : new LibCryptoLibrary(name, handle, text, null);
    }
}
