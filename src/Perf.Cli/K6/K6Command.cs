using System.CommandLine;

namespace Perf.Cli.K6;

/// <summary><c>perf k6 ...</c>: what the k6 scripts in <c>loadtest/k6</c> need from the C# side.</summary>
internal static class K6Command
{
    public static Command Create() => new("k6", "Prepare data for the k6 scripts in loadtest/k6, check their protocol against a C# peer, run them under the real k6, and collect runners' results.")
    {
        K6PrepareCommand.Create(),
        K6PeerCommand.Create(),
        K6RunCommand.Create(),
        K6ExtractCommand.Create(),
    };
}
