namespace Perf.Load.Os;

/// <summary>
/// The open-file limit (RLIMIT_NOFILE), which caps the connections one process can hold: every
/// socket is a descriptor. A process may raise its soft limit up to the hard one; raising the
/// hard limit takes root with CAP_SYS_RESOURCE (<c>ulimit -Hn</c>, systemd <c>LimitNOFILE=</c>,
/// <c>docker run --ulimit nofile=N:N</c>), and the kernel's <c>fs.nr_open</c> caps both.
/// </summary>
public static class OpenFileLimit
{
    /// <summary>Descriptors a process needs besides its connections (runtime, pipes, listeners, logs).</summary>
    public const int Reserve = 256;

    /// <summary>Raises this process's soft limit to its hard limit; returns the limit now in force (<c>null</c> off Linux).</summary>
    public static ulong? RaiseToHardLimit()
    {
        if (!OperatingSystem.IsLinux() || !LinuxNative.TryGetOpenFileLimit(out var soft, out var hard))
        {
            return null;
        }

        if (soft < hard && LinuxNative.TrySetOpenFileLimit(hard, hard))
        {
            return hard;
        }

        return soft;
    }

    /// <summary>This process's hard limit (<c>null</c> off Linux).</summary>
    public static ulong? HardLimit() =>
        OperatingSystem.IsLinux() && LinuxNative.TryGetOpenFileLimit(out _, out var hard) ? hard : null;

    /// <summary>
    /// Why <paramref name="connections"/> connections cannot be held under a hard limit of
    /// <paramref name="hardLimit"/> descriptors per process, with what to change; <c>null</c> when they fit.
    /// </summary>
    public static string? Shortfall(long connections, ulong? hardLimit)
    {
        if (hardLimit is not { } hard || (ulong)(connections + Reserve) <= hard)
        {
            return null;
        }

        var needed = connections + Reserve;
        return $"{connections} connections need about {needed} open files in the target process and in this one, but the hard limit here is {hard} per process "
            + $"(at most {Math.Max(0, (long)hard - Reserve)} connections). Raise it as root: `ulimit -Hn {needed} && ulimit -n {needed}` in the shell that runs perf, "
            + $"LimitNOFILE={needed} in a systemd unit, or `docker run --ulimit nofile={needed}:{needed}`; the kernel's fs.nr_open must be at least that too.";
    }
}
