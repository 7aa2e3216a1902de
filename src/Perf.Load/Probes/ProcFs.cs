using System.Globalization;

namespace Perf.Load.Probes;

/// <summary>What Linux's <c>/proc</c> says about a process: its resident set and its open descriptors; <c>null</c> elsewhere or when it is gone.</summary>
public static class ProcFs
{
    /// <summary>The process's resident set size (<c>VmRSS</c> of <c>/proc/PID/status</c>), bytes.</summary>
    public static long? ResidentBytes(int processId)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    // "VmRSS:     12345 kB"
                    var value = line.AsSpan(6).Trim();
                    var space = value.IndexOf(' ');
                    return long.Parse(space < 0 ? value : value[..space], NumberStyles.Integer, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // Gone, or not Linux.
        }

        return null;
    }

    /// <summary>The process's open file descriptors (entries of <c>/proc/PID/fd</c>).</summary>
    public static long? OpenDescriptors(int processId)
    {
        try
        {
            long count = 0;
            foreach (var _ in Directory.EnumerateFileSystemEntries($"/proc/{processId}/fd"))
            {
                count++;
            }

            return count;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
