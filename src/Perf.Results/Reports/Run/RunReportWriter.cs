using System.Net;
using System.Text;

namespace Perf.Results.Reports.Run;

/// <summary>
/// Writes a run folder's report: <c>report.html</c>, one self-contained file with the plots as
/// inline SVG, and <c>report.md</c>, the same tables with the plots beside it as SVG files.
/// </summary>
public static class RunReportWriter
{
    /// <summary>The HTML report's file name.</summary>
    public const string HtmlFileName = "report.html";

    /// <summary>The Markdown summary's file name.</summary>
    public const string MarkdownFileName = "report.md";

    /// <summary>Reads <paramref name="folder"/> and writes both reports into <paramref name="outputFolder"/> (default: the run folder); returns the HTML path.</summary>
    /// <exception cref="BadInputException">The folder holds nothing to report or a file is malformed.</exception>
    public static string Write(string folder, string? outputFolder = null) => Write([folder], outputFolder ?? folder);

    /// <summary>Reads every folder of <paramref name="folders"/> into one report written into <paramref name="outputFolder"/>; returns the HTML path.</summary>
    /// <exception cref="BadInputException">A folder holds nothing to report or a file is malformed.</exception>
    public static string Write(IReadOnlyList<string> folders, string outputFolder) => Write(RunReportData.Load(folders), outputFolder);

    /// <summary>Writes both reports of <paramref name="data"/> into <paramref name="outputFolder"/>; returns the HTML path.</summary>
    public static string Write(RunReportData data, string outputFolder)
    {
        ArgumentNullException.ThrowIfNull(data);
        Directory.CreateDirectory(outputFolder);
        var sections = Sections(data);
        var htmlPath = Path.Combine(outputFolder, HtmlFileName);
        File.WriteAllText(htmlPath, Html(data, sections));
        File.WriteAllText(Path.Combine(outputFolder, MarkdownFileName), Markdown(data, sections, outputFolder));
        return htmlPath;
    }

    private static List<Section> Sections(RunReportData data) =>
    [
        new("environment", "Environment", null, RunReportTables.Environment(data), "Not recorded: this folder has no load result."),
        new("scenario", "What was run", null, RunReportTables.Scenario(data), "No load result in this folder (run perf load)."),
        new("floor", "The floor beside every run", null, RunReportTables.Floor(data), "No load result in this folder (run perf load)."),
        new("floor-spread", "Ratios over the floor, run by run", null, RunReportTables.FloorSpread(data), "No echo floor beside another target in this folder (perf load --targets echo,relay-tcp --repeat 3)."),
        new("aead", "AEAD throughput", ReportPlots.AeadThroughput(data.Benchmarks, data.OpenSslBytesPerSecond), RunReportTables.Aead(data), "No AEAD benchmark report in this folder (run perf bench)."),
        new("latency", "Latency percentile spectrum", ReportPlots.LatencySpectrum(data.Loads), RunReportTables.Latency(data), "No load result in this folder (run perf load)."),
        new("find-max", "Throughput–latency curve", ReportPlots.ThroughputLatency(data.Loads), RunReportTables.FindMax(data), "No saturation search in this folder (run perf load --find-max)."),
        new("counts", "Counts and errors", null, RunReportTables.Counts(data), "No load result in this folder."),
        .. SoakSections(data),
        .. FloodSections(data),
    ];

    // Only for runs whose handshake flood ran beside its baseline.
    private static List<Section> FloodSections(RunReportData data) => FloodTable.Comparison(data) is { } table
        ? [new("handshake-flood", "Handshake flood beside the same run without it", null, table, "No flood with a baseline in this folder.")]
        : [];

    // Only for runs with a per-minute series (a minute or longer): the target's memory and the latency by minute.
    private static List<Section> SoakSections(RunReportData data)
    {
        var latency = SeriesPlots.Latency(data.Loads);
        return latency is null
            ? []
            :
            [
                new("soak-memory", "Soak: target memory by minute", SeriesPlots.Memory(data.Loads), SeriesTable.Soak(data), "No run in this folder has a series."),
                new("soak-latency", "Soak: latency by minute", latency, SeriesTable.Latency(data), "No run in this folder has a series."),
            ];
    }

    private static string Html(RunReportData data, IReadOnlyList<Section> sections)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>perf report</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#222}")
            .Append("table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:right}")
            .Append("th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}figure{margin:0}p.none{color:#777}")
            .Append("</style></head><body>\n<h1>perf report</h1>\n<p>")
            .Append(E(data.Folder)).Append("</p>\n");
        foreach (var section in sections)
        {
            html.Append("<section id=\"").Append(section.Id).Append("\"><h2>").Append(E(section.Title)).Append("</h2>\n");
            if (section.Svg is not null)
            {
                html.Append("<figure class=\"plot\">").Append(section.Svg).Append("</figure>\n");
            }

            if (section.Table is not null)
            {
                html.Append("<table><tr>");
                foreach (var h in section.Table.Header)
                {
                    html.Append("<th>").Append(E(h)).Append("</th>");
                }

                html.Append("</tr>\n");
                foreach (var row in section.Table.Rows)
                {
                    html.Append("<tr>");
                    foreach (var cell in row)
                    {
                        html.Append("<td>").Append(E(cell)).Append("</td>");
                    }

                    html.Append("</tr>\n");
                }

                html.Append("</table>\n");
            }
            else
            {
                html.Append("<p class=\"none\">").Append(E(section.Missing)).Append("</p>\n");
            }

            html.Append("</section>\n");
        }

        return html.Append("</body></html>\n").ToString();
    }

    private static string Markdown(RunReportData data, IReadOnlyList<Section> sections, string folder)
    {
        var md = new StringBuilder().Append("# perf report\n\n`").Append(data.Folder).Append("` — plots and tables in `").Append(HtmlFileName).Append("`.\n");
        foreach (var section in sections)
        {
            md.Append("\n## ").Append(section.Title).Append("\n\n");
            if (section.Svg is not null)
            {
                var svgName = $"report-{section.Id}.svg";
                File.WriteAllText(Path.Combine(folder, svgName), section.Svg);
                md.Append("![").Append(section.Title).Append("](").Append(svgName).Append(")\n\n");
            }

            if (section.Table is null)
            {
                md.Append(section.Missing).Append('\n');
                continue;
            }

            md.Append("| ").Append(string.Join(" | ", section.Table.Header)).Append(" |\n|");
            foreach (var _ in section.Table.Header)
            {
                md.Append("---|");
            }

            md.Append('\n');
            foreach (var row in section.Table.Rows)
            {
                md.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
            }
        }

        return md.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private sealed record Section(string Id, string Title, string? Svg, RunReportTables.Table? Table, string Missing);
}
