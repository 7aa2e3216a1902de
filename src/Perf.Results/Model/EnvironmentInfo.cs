using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Perf.Results.Model;

/// <summary>
/// The machine and runtime a result was measured on; results from different environments are not
/// comparable. <c>perf</c> records every field; a k6 script cannot read the machine, so in k6
/// results only <see cref="Backend"/> and <see cref="Cipher"/> are certain and the rest is what
/// the user passed in (or absent).
/// </summary>
public sealed record EnvironmentInfo
{
    /// <summary>CPU model name.</summary>
    public string? CpuModel { get; init; }

    /// <summary>Logical cores available to the process.</summary>
    public int? Cores { get; init; }

    /// <summary>Operating system description.</summary>
    public string? Os { get; init; }

    /// <summary>.NET runtime version of the measuring process.</summary>
    public string? DotnetVersion { get; init; }

    /// <summary>Server GC (true) or workstation GC (false).</summary>
    public bool? GcServer { get; init; }

    /// <summary>Whether background (concurrent) GC is enabled.</summary>
    public bool? GcConcurrent { get; init; }

    /// <summary>Crypto backend in use.</summary>
    public required string Backend { get; init; }

    /// <summary>AEAD cipher in use.</summary>
    public required string Cipher { get; init; }

    /// <summary>The git commit measured, when known.</summary>
    public string? GitCommit { get; init; }

    /// <summary>Machine name, only when the user asked to record it.</summary>
    public string? MachineName { get; init; }

    /// <summary>Memory available to the process in bytes, when known; the default memory per node for capacity planning.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>The most descriptors (sockets included) one process may open: the hard <c>RLIMIT_NOFILE</c> (Linux), when known.</summary>
    public long? MaxOpenFiles { get; init; }

    /// <summary>
    /// Describes the running process: CPU model (from <c>/proc/cpuinfo</c> on Linux), cores, OS, runtime, GC mode,
    /// available memory and the git commit of <paramref name="repositoryDirectory"/> when git is available.
    /// </summary>
    /// <param name="backend">Crypto backend in use.</param>
    /// <param name="cipher">AEAD cipher in use.</param>
    /// <param name="repositoryDirectory">Where to ask git for <c>HEAD</c>; the current directory when null.</param>
    /// <param name="includeMachineName">Record the machine name (off by default: result files get shared).</param>
    public static EnvironmentInfo Capture(string backend, string cipher, string? repositoryDirectory = null, bool includeMachineName = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backend);
        ArgumentException.ThrowIfNullOrWhiteSpace(cipher);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return new EnvironmentInfo
        {
            CpuModel = ReadCpuModel(),
            Cores = System.Environment.ProcessorCount,
            Os = RuntimeInformation.OSDescription,
            DotnetVersion = RuntimeInformation.FrameworkDescription,
            GcServer = GCSettings.IsServerGC,
            GcConcurrent = GCSettings.LatencyMode != GCLatencyMode.Batch,
            Backend = backend,
            Cipher = cipher,
            GitCommit = ReadGitCommit(repositoryDirectory ?? System.Environment.CurrentDirectory),
            MachineName = includeMachineName ? System.Environment.MachineName : null,
            MemoryBytes = available > 0 ? available : null,
            MaxOpenFiles = ReadMaxOpenFiles(),
        };
    }

    private static string ReadCpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (File.Exists(cpuInfo))
        {
            foreach (var line in File.ReadLines(cpuInfo))
            {
                // x86 says "model name"; some ARM kernels only say "Hardware" or "Processor".
                if (line.StartsWith("model name", StringComparison.Ordinal) || line.StartsWith("Hardware", StringComparison.Ordinal))
                {
                    int colon = line.IndexOf(':');
                    if (colon >= 0) return line[(colon + 1)..].Trim();
                }
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    // "Max open files            20000                20000                files" in /proc/self/limits: the hard column.
    private static long? ReadMaxOpenFiles()
    {
        const string limits = "/proc/self/limits";
        if (!File.Exists(limits))
        {
            return null;
        }

        foreach (var line in File.ReadLines(limits))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return fields.Length >= 2 && long.TryParse(fields[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var hard) ? hard : null;
            }
        }

        return null;
    }

    private static string? ReadGitCommit(string directory)
    {
        try
        {
            var start = new ProcessStartInfo("git", ["-C", directory, "rev-parse", "HEAD"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var git = Process.Start(start);
            if (git is null) return null;
            string output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && output.Length == 40 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // git is not installed: the commit is simply unknown.
            return null;
        }
    }
}
