using System.Globalization;

namespace Perf.Load.Os;

/// <summary>
/// The kernel's memory for TCP sockets, read from <c>/proc</c> (Linux): the pages of socket
/// buffers (<c>/proc/net/sockstat</c>, <c>TCP: ... mem N</c>) and, where <c>/proc/slabinfo</c>
/// is readable (root), the slab caches every socket takes objects from (the socket itself, its
/// inode, its file, its epoll entries). A process's resident memory counts none of it. Both are
/// machine-wide: read while nothing else opens sockets, the growth over a known number of new
/// sockets is the kernel's cost per socket.
/// </summary>
/// <param name="TcpSocketsInUse">TCP sockets in use (<c>inuse</c>).</param>
/// <param name="BufferBytes">Socket buffer memory (<c>mem</c> pages × page size).</param>
/// <param name="SlabBytes">The socket slab caches' objects × object size, or null when slabinfo is not readable.</param>
public readonly record struct KernelSocketMemory(long TcpSocketsInUse, long BufferBytes, long? SlabBytes)
{
    /// <summary>The slab caches a TCP socket takes objects from: its sock (IPv4 and v6), socket inode, file, epoll item.</summary>
    public static readonly string[] SocketSlabCaches = ["TCP", "TCPv6", "sock_inode_cache", "filp", "eventpoll_epi", "eventpoll_pwq"];

    private const string SockstatPath = "/proc/net/sockstat";
    private const string SlabinfoPath = "/proc/slabinfo";

    /// <summary>What <see cref="BytesPerSocketSince"/> read: <c>sockstat</c>, or <c>sockstat+slabinfo</c>.</summary>
    public string Source => SlabBytes is null ? "sockstat" : "sockstat+slabinfo";

    /// <summary>Reads the kernel's figures now; null off Linux or when sockstat is missing.</summary>
    public static KernelSocketMemory? Read()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(SockstatPath))
        {
            return null;
        }

        try
        {
            return Parse(File.ReadAllText(SockstatPath), TryReadSlabinfo(), Environment.SystemPageSize);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Reads <paramref name="sockstat"/> (and <paramref name="slabinfo"/> when given) as <c>/proc</c> writes them; null when the TCP line is missing.</summary>
    public static KernelSocketMemory? Parse(string sockstat, string? slabinfo, int pageSize)
    {
        ArgumentNullException.ThrowIfNull(sockstat);
        foreach (var line in sockstat.Split('\n'))
        {
            if (!line.StartsWith("TCP:", StringComparison.Ordinal))
            {
                continue;
            }

            var fields = line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long? inUse = null, pages = null;
            for (var i = 0; i + 1 < fields.Length; i += 2)
            {
                if (long.TryParse(fields[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    if (fields[i] == "inuse") inUse = value;
                    if (fields[i] == "mem") pages = value;
                }
            }

            return inUse is { } sockets && pages is { } memory ? new KernelSocketMemory(sockets, memory * pageSize, slabinfo is null ? null : SlabBytesOf(slabinfo)) : null;
        }

        return null;
    }

    /// <summary>The growth since <paramref name="before"/> per TCP socket opened since, bytes; null when no socket was opened, the figures are not comparable, or the memory fell (others' sockets closed meanwhile: no figure, rather than a cost of 0).</summary>
    public double? BytesPerSocketSince(KernelSocketMemory before)
    {
        var sockets = TcpSocketsInUse - before.TcpSocketsInUse;
        if (sockets <= 0 || (SlabBytes is null) != (before.SlabBytes is null))
        {
            return null;
        }

        var grown = (BufferBytes - before.BufferBytes) + ((SlabBytes ?? 0) - (before.SlabBytes ?? 0));
        return grown < 0 ? null : grown / (double)sockets;
    }

    // "name <active_objs> <num_objs> <objsize> ...": the active objects' bytes of each socket cache.
    private static long SlabBytesOf(string slabinfo)
    {
        long total = 0;
        foreach (var line in slabinfo.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 3 && Array.IndexOf(SocketSlabCaches, fields[0]) >= 0
                && long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var active)
                && long.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                total += active * size;
            }
        }

        return total;
    }

    private static string? TryReadSlabinfo()
    {
        try
        {
            return File.ReadAllText(SlabinfoPath);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            // Readable by root only on most systems: the socket buffers alone are still a figure.
            return null;
        }
    }
}
