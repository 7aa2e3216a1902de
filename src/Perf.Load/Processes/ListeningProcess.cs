using System.Diagnostics;
using System.Globalization;
using Perf.Load.Engine;

namespace Perf.Load.Processes;

/// <summary>
/// A process this command did not start but can read, found by the loopback TCP port it listens
/// on (Linux: the listening socket's inode in <c>/proc/net/tcp</c>, then the process holding it
/// in <c>/proc/*/fd</c>): a <c>nats-server</c> given as <c>perf load --store nats://127.0.0.1:PORT</c>,
/// so its CPU over the measured window is recorded beside the relay's.
/// </summary>
public sealed class ListeningProcess : IProcessResources, IDisposable
{
    private const string Listen = "0A";
    private readonly Process _process;

    private ListeningProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>What runs (its command name, e.g. <c>nats-server</c>).</summary>
    public string Name { get; }

    /// <summary>Its process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The process listening on loopback <paramref name="port"/>, or <c>null</c> when none is found or readable (not Linux, another user's, gone).</summary>
    public static ListeningProcess? Find(int port)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in (string[])["/proc/net/tcp", "/proc/net/tcp6"])
        {
            AddListeningInodes(table, port, inodes);
        }

        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && HoldsAny(folder, inodes))
            {
                try
                {
                    var process = Process.GetProcessById(pid);
                    return new ListeningProcess(process, process.ProcessName);
                }
                catch (ArgumentException)
                {
                    return null; // it just exited
                }
            }
        }

        return null;
    }

    /// <inheritdoc />
    public ProcessResourceSample Sample()
    {
        _process.Refresh();
        return new ProcessResourceSample(_process.TotalProcessorTime, _process.WorkingSet64, Stopwatch.GetTimestamp(), ProcessResourceSample.ContextSwitchesOf(_process.Id));
    }

    /// <summary>Lets go of the handle (the process goes on running).</summary>
    public void Dispose() => _process.Dispose();

    // Lines: "sl local_address rem_address st ... uid timeout inode ...", addresses as hex IP:PORT.
    private static void AddListeningInodes(string table, int port, HashSet<string> inodes)
    {
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadLines(table).Skip(1).ToList();
        }
        catch (IOException)
        {
            return;
        }

        var portHex = port.ToString("X4", CultureInfo.InvariantCulture);
        foreach (var line in lines)
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10 || fields[3] != Listen)
            {
                continue;
            }

            var colon = fields[1].LastIndexOf(':');
            if (colon > 0 && fields[1][(colon + 1)..] == portHex && IsLoopbackOrAny(fields[1][..colon]))
            {
                inodes.Add(fields[9]);
            }
        }
    }

    // 127.x.x.x and 0.0.0.0 as /proc/net/tcp writes them (little-endian hex), ::1, :: and ::ffff:127.0.0.1 in tcp6.
    private static bool IsLoopbackOrAny(string hex) =>
        hex.Length == 8 ? hex.EndsWith("7F", StringComparison.Ordinal) || hex == "00000000"
        : hex is "00000000000000000000000001000000" or "00000000000000000000000000000000" || (hex.StartsWith("0000000000000000FFFF0000", StringComparison.Ordinal) && hex.EndsWith("7F", StringComparison.Ordinal));

    private static bool HoldsAny(string processFolder, HashSet<string> inodes)
    {
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(processFolder, "fd")))
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                {
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Another user's process, or one that just exited.
        }

        return false;
    }
}
