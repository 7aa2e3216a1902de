using Perf.Vectors;

namespace Perf.Cli.Tests.Selftest;

/// <summary>One in-process run of <c>perf</c> with its exit code and captured writers.</summary>
internal sealed record SelftestRun(int ExitCode, string Output, string Error)
{
    public static async Task<SelftestRun> Of(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await PerfCommandLine.InvokeAsync(args, output, error);
        return new SelftestRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The repository's vectors folder; missing vectors fail the test.</summary>
    public static string RequireVectors()
    {
        var directory = VectorDirectory.Find(out var searched);
        Assert.True(directory is not null, $"Known-answer vectors not found at {searched}; they belong in the repository ({VectorDirectory.RelativeToRepoRoot}), or set {VectorDirectory.EnvironmentVariable}.");
        return directory!;
    }
}
