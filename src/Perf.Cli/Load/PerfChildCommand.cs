using System.Diagnostics;

namespace Perf.Cli.Load;

/// <summary>How to start another <c>perf</c> process: the apphost itself, or <c>dotnet perf.dll</c>.</summary>
internal static class PerfChildCommand
{
    /// <summary>A start info that runs this same <c>perf</c> build; the caller adds the arguments.</summary>
    public static ProcessStartInfo StartInfo()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var hostName = Path.GetFileNameWithoutExtension(host);
        if (hostName.Equals("perf", StringComparison.OrdinalIgnoreCase))
        {
            return new ProcessStartInfo(host);
        }

        // Under `dotnet perf.dll` or a test host: run the perf.dll that holds this code with the same dotnet.
        var info = new ProcessStartInfo(hostName.Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? host : "dotnet");
        info.ArgumentList.Add(typeof(PerfChildCommand).Assembly.Location);
        return info;
    }
}
