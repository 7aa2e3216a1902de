using System.Text.RegularExpressions;
using Perf.Results.Files;
using Perf.Results.Reports.Run;
using Perf.Testing.Folders;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Soak;

/// <summary><c>perf report</c> of a soak: its memory and latency series as plots, with their tables; a run without a series adds nothing.</summary>
public sealed class SoakReportTests : TempFolder
{
    [Fact]
    public void A_soak_folder_has_its_memory_and_latency_plots_and_tables()
    {
        ResultFile.Write(Path.Combine(Folder, "result.json"), ResultFixture.Soak());

        var html = File.ReadAllText(RunReportWriter.Write(Folder));

        foreach (var id in new[] { "soak-memory", "soak-latency" })
        {
            var section = Regex.Match(html, $"<section id=\"{id}\">(.*?)</section>", RegexOptions.Singleline);
            Assert.True(section.Success, id);
            Assert.Contains("<svg", section.Groups[1].Value, StringComparison.Ordinal);
            Assert.Contains("<table>", section.Groups[1].Value, StringComparison.Ordinal);
        }

        Assert.Contains("resident set", html, StringComparison.Ordinal);
        Assert.Contains("p99.9", html, StringComparison.Ordinal);
        // The fixture: 300.0 MB growing to 302.9 MB, +2 %/h, p99 920 then 1,170 µs, passed.
        Assert.Contains("<td>300.0 → 302.9</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>+2.00</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>1.27x</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>passed</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>30</td>", html, StringComparison.Ordinal); // minutes
        Assert.Contains("<td>0 (10 with the backlog held for slow consumers)</td>", html, StringComparison.Ordinal);
        // The flood beside its baseline: 100 % then 99.5 % delivered, p99 900 then 1,350 µs; with an earlier pair, the median ratio.
        var flood = Regex.Match(html, "<section id=\"handshake-flood\">(.*?)</section>", RegexOptions.Singleline);
        Assert.True(flood.Success);
        Assert.Contains("<td>100.000 → 99.500</td>", flood.Groups[1].Value, StringComparison.Ordinal);
        Assert.Contains("<td>900 → 1350</td>", flood.Groups[1].Value, StringComparison.Ordinal);
        Assert.Contains("<td>1.75x (median of 2 pairs, 1.50–2.00)</td>", flood.Groups[1].Value, StringComparison.Ordinal);
        var markdown = File.ReadAllText(Path.Combine(Folder, RunReportWriter.MarkdownFileName));
        Assert.Contains("![Soak: target memory by minute](report-soak-memory.svg)", markdown, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Folder, "report-soak-latency.svg")));
    }

    [Fact]
    public void A_run_without_a_series_has_no_soak_section()
    {
        ResultFile.Write(Path.Combine(Folder, "result.json"), ResultFixture.Load());

        var html = File.ReadAllText(RunReportWriter.Write(Folder));

        Assert.DoesNotContain("soak-", html, StringComparison.Ordinal);
        Assert.DoesNotContain("handshake-flood", html, StringComparison.Ordinal);
        Assert.Null(SeriesPlots.Memory([]));
        Assert.Null(SeriesTable.Soak(RunReportData.Load(Folder)));
    }
}
