using Perf.Results.Comparison;
using Perf.Results.Reports;

namespace Perf.Results.Tests.Reports;

public sealed class ReportTests
{
    private static readonly ComparisonEntry[] Entries =
    [
        new("A|B.Seal", "time", "ns/op", 100, 130, Verdict.Slower, 0.05, 0.0001, ""),
        new("A|B.Seal", "allocated", "B/op", 0, 0, Verdict.Same, 0, null, ""),
        new("C.New", "", "", null, null, Verdict.Added, 0, null, "only in current"),
        new("D.Few", "time", "ns/op", 10, 20, Verdict.Inconclusive, 0.05, null, "3 vs 3 iterations, fewer than 5"),
    ];

    [Fact]
    public void Markdown_has_a_row_per_entry_and_escapes_pipes()
    {
        string markdown = MarkdownReport.Render(Entries);

        string[] rows = [.. markdown.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal))];
        Assert.Equal(1 + Entries.Length, rows.Length);
        Assert.Contains("| A\\|B.Seal | time | 100 ns/op | 130 ns/op | 1.300x | ±5% | < 0.001 | **slower** |", markdown, StringComparison.Ordinal);
        Assert.Contains("| exact |", markdown, StringComparison.Ordinal);
        Assert.Contains("1 slower, 0 faster", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void JUnit_has_a_testcase_per_entry_and_a_failure_per_regression()
    {
        var document = JUnitReport.Build(Entries);

        var suite = Assert.Single(document.Root!.Elements("testsuite"));
        Assert.Equal("4", suite.Attribute("tests")!.Value);
        Assert.Equal("1", suite.Attribute("failures")!.Value);
        Assert.Equal(4, suite.Elements("testcase").Count());
        var failure = Assert.Single(suite.Descendants("failure"));
        Assert.Equal("A|B.Seal", failure.Parent!.Attribute("classname")!.Value);
        Assert.Contains("ratio 1.300x", failure.Attribute("message")!.Value, StringComparison.Ordinal);
        Assert.Single(suite.Descendants("skipped"));
    }
}
