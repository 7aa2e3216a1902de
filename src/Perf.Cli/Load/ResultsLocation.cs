using Perf.Vectors;

namespace Perf.Cli.Load;

/// <summary>Where result folders go: <c>results/</c> under the repository root when perf runs inside the repository, else under the current directory.</summary>
internal static class ResultsLocation
{
    public static string Root() =>
        Path.Combine(VectorDirectory.FindRepoRoot() ?? Directory.GetCurrentDirectory(), "results");
}
