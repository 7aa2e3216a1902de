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

    /// <summary>The shared vectors folder, or a skip naming where it was looked for.</summary>
    public static string RequireVectors()
    {
        var directory = VectorDirectory.Find(out var searched);
        Skip.If(directory is null, $"External test vectors not found at {searched}; set {VectorDirectory.EnvironmentVariable} to the vectors folder to run these tests.");
        return directory!;
    }
}
