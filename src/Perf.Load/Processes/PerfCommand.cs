using System.Diagnostics;

namespace Perf.Load.Processes;

/// <summary>How to start a <c>perf</c> process (<c>perf relay</c>, <c>perf echo</c>): its apphost, or <c>dotnet perf.dll</c>.</summary>
public static class PerfCommand
{
    /// <summary>
    /// A start info that runs the <c>perf</c> build whose entry assembly is <paramref name="perfDll"/>;
    /// the caller adds the arguments. When this process is that build's apphost (<c>perf</c>), the
    /// apphost again; otherwise (under <c>dotnet perf.dll</c> or a test host) <c>dotnet perf.dll</c>
    /// with this process's own <c>dotnet</c> when it runs under one.
    /// </summary>
    public static ProcessStartInfo StartInfo(string perfDll)
    {
        ArgumentException.ThrowIfNullOrEmpty(perfDll);
        var host = Environment.ProcessPath ?? "dotnet";
        var hostName = Path.GetFileNameWithoutExtension(host);
        if (hostName.Equals("perf", StringComparison.OrdinalIgnoreCase))
        {
            return new ProcessStartInfo(host);
        }

        var info = new ProcessStartInfo(hostName.Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? host : "dotnet");
        info.ArgumentList.Add(perfDll);
        return info;
    }

    /// <summary>A start info for <c>perf</c> with <paramref name="arguments"/> added.</summary>
    public static ProcessStartInfo StartInfo(string perfDll, IEnumerable<string> arguments) => StartInfo(perfDll).AddArguments(arguments);
}
