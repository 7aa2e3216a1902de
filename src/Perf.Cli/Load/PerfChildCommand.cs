using System.Diagnostics;
using Perf.Load.Processes;

namespace Perf.Cli.Load;

/// <summary>How to start another <c>perf</c> process of this same build.</summary>
internal static class PerfChildCommand
{
    /// <summary>A start info that runs this same <c>perf</c> build (see <see cref="PerfCommand"/>); the caller adds the arguments.</summary>
    public static ProcessStartInfo StartInfo() => PerfCommand.StartInfo(typeof(PerfChildCommand).Assembly.Location);
}
