using Perf.Testing.Folders;
using Perf.Testing.Results;
using Case = Perf.Testing.Results.BenchmarkReportFixture.Case;

namespace Perf.Cli.Tests.Results;

public sealed class CompareCommandTests : TempFolder
{
    private const string Seal = "Perf.Benchmarks.Aead.Seal(Size: 256)";

    [Fact]
    public void Compare_reports_a_slowdown_but_exits_zero()
    {
        double[] before = BenchmarkReportFixture.Samples(100, 0.02, 15, 1);
        string baseline = BenchmarkReportFixture.Write(Path.Combine(Folder, "b"), "Aead", new Case(Seal, before, 0));
        string current = BenchmarkReportFixture.Write(Path.Combine(Folder, "c"), "Aead", new Case(Seal, [.. before.Select(v => v * 1.3)], 0));

        var run = CliRun.Invoke("compare", baseline, current);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(Seal, run.Output, StringComparison.Ordinal);
        Assert.Contains("1.300x", run.Output, StringComparison.Ordinal);
        Assert.Contains("slower", run.Output, StringComparison.Ordinal);
        // Not a terminal: no ANSI escapes in the captured table.
        Assert.DoesNotContain('\u001b', run.Output);
    }

    [Fact]
    public void Markdown_file_has_a_row_per_entry()
    {
        double[] samples = BenchmarkReportFixture.Samples(100, 0.02, 15, 1);
        string side = BenchmarkReportFixture.Write(Path.Combine(Folder, "b"), "Aead", new Case(Seal, samples, 0), new Case("Other", samples, 0));
        string markdown = Path.Combine(Folder, "compare.md");

        var run = CliRun.Invoke("compare", side, side, "--md", markdown);

        Assert.Equal(0, run.ExitCode);
        string[] rows = [.. File.ReadAllLines(markdown).Where(l => l.StartsWith("| ", StringComparison.Ordinal))];
        Assert.Equal(1 + 4, rows.Length);
        Assert.All(rows.Skip(1), r => Assert.Contains("| same |", r, StringComparison.Ordinal));
    }

    [Fact]
    public void Unwritable_markdown_path_is_bad_input()
    {
        string side = BenchmarkReportFixture.Write(Folder, "Aead", new Case(Seal, [1, 2, 3, 4, 5], 0));

        CliRun.Invoke("compare", side, side, "--md", Path.Combine(Folder, "no", "such", "dir", "x.md")).AssertBadInput("cannot write");
    }
}
