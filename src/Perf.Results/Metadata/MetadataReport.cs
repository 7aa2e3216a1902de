using System.Globalization;
using System.Text;
using Perf.Results.Reports.Run;
using ScottPlot;

namespace Perf.Results.Metadata;

/// <summary>
/// The metadata report section: the rows as a table, what each column means, and two ScottPlot
/// plots: the envelope sizes the relay saw per mode (as a cumulative distribution: each step is a
/// size class), and what the relay can link per mode beside what hiding it cost.
/// </summary>
public static class MetadataReport
{

    /// <summary>Writes <c>report.md</c> (plots beside it as SVG) and a self-contained <c>report.html</c> into <paramref name="folder"/>.</summary>
    public static void Write(string folder, MetadataResult result, IReadOnlyDictionary<string, IReadOnlyList<int>> loggedSizes)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(loggedSizes);
        var sizes = SizePlot(loggedSizes);
        var leak = LeakPlot(result.Rows);
        File.WriteAllText(Path.Combine(folder, "metadata-sizes.svg"), sizes);
        File.WriteAllText(Path.Combine(folder, "metadata-leak.svg"), leak);
        var markdown = Markdown(result, "![envelope sizes](metadata-sizes.svg)", "![linkability and cost](metadata-leak.svg)");
        File.WriteAllText(Path.Combine(folder, "report.md"), markdown);
        var html = new StringBuilder("<!doctype html><html><head><meta charset=\"utf-8\"><title>Metadata</title>")
            .Append("<style>body{font-family:sans-serif;max-width:900px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}</style></head><body>")
            .Append("<pre style=\"white-space:pre-wrap\">").Append(System.Net.WebUtility.HtmlEncode(Markdown(result, "", ""))).Append("</pre>")
            .Append(sizes).Append(leak).Append("</body></html>");
        File.WriteAllText(Path.Combine(folder, "report.html"), html.ToString());
    }

    /// <summary>The section as Markdown, with the two image references given.</summary>
    public static string Markdown(MetadataResult result, string sizesImage, string leakImage)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        text.AppendLine("## Metadata: what the relay learns, what hiding it costs").AppendLine();
        if (result.Command is not null)
        {
            text.Append("Command: `").Append(result.Command).AppendLine("`  ");
        }

        if (result.Workload is not null)
        {
            text.Append("Workload: ").AppendLine(result.Workload);
        }

        text.AppendLine()
            .AppendLine("| mode | messages | unlogged | sender known | recipient known | online identities | size classes | size entropy (bits) | overhead B/msg | seal p50 µs | open p50 µs | e2e p99 µs | added p50/p99 µs | relay CPU µs/msg | connections/msg | handshakes/msg | linkability | last-recipient | disclosure | connection-time |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in result.Rows)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Mode} | {row.Messages} | {row.Unlogged} | {row.SenderKnownFraction:0.###} | {row.RecipientKnownFraction:0.###} | {row.OnlineIdentitiesVisible} | {row.SizeClasses} | {row.SizeEntropyBits:0.00} | {row.BytesOverheadPerMessage:0.0} | {row.SealUsP50:0} | {row.OpenUsP50:0} | {row.E2eP99Us:0} | {row.AddedP50Us:0} / {row.AddedP99Us:0} | {row.RelayCpuUsPerMessage:0.0} | {row.ConnectionsPerMessage:0.####} | {row.HandshakesPerMessage:0.####} | {row.Linkability:0.###} | {row.LinkabilityLastRecipient:0.###} | {row.LinkabilityDisclosure:0.###} | {row.LinkabilityConnectionTime:0.###} |"));
        }

        text.AppendLine()
            .AppendLine("Every leak figure comes from the relay's audit log (what an honest-but-curious operator could record). ")
            .AppendLine("*sender known*: share of logged messages with a sender; *size classes*/*entropy*: what envelope sizes tell; ")
            .AppendLine("*linkability*: share of messages whose true sender the best attack on the log names (timing: the last recipient; ")
            .AppendLine("statistical disclosure over anonymous connections; connection time: an anonymous connection belongs to the identity connected nearest in time) — where sealed sender hides the sender field but not the pattern. ")
            .AppendLine("*recipient known*: share of logged messages addressed to an identity (not a conversation mailbox); *online identities*: identities whose connect times the log shows.")
            .AppendLine();
        AppendBesideFloor(text, result);
        if (sizesImage.Length > 0)
        {
            text.AppendLine(sizesImage).AppendLine().AppendLine(leakImage).AppendLine();
        }

        return text.ToString();
    }


    // The engine's figures beside the echo floor of the same run: what perf load would print for the relay.
    private static void AppendBesideFloor(StringBuilder text, MetadataResult result)
    {
        if (result.Floor is not { } floor)
        {
            return;
        }

        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"Beside the floor: echo ({floor.Connections} connections, {floor.RatePerSecond:0} msgs/s of {floor.MessageBytes} B) e2e p50 {floor.E2eP50Us:0} µs, p99 {floor.E2eP99Us:0} µs, {floor.Target?.CpuUsPerMessage:0.0} µs CPU/msg{Pinned(floor.Target?.Cpus)}."))
            .AppendLine()
            .AppendLine("| mode | e2e p99 over floor | relay cores | relay CPU µs/msg | relay context switches/msg | generator CPU µs/msg | generator lag p99 µs | set-ups |")
            .AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var row in result.Rows)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Mode} | {row.E2eP99OverFloor:0.00} | {row.Target?.CoresUsed:0.00} | {row.Target?.CpuUsPerMessage:0.0} | {row.Target?.ContextSwitchesPerMessage:0.00} | {row.Generator?.CpuUsPerMessage:0.0} | {row.GeneratorLagP99Us:0} | {row.ConversationSetups} |"));
        }

        text.AppendLine();
    }

    private static string Pinned(string? cpus) => cpus is null ? "" : $", CPUs {cpus}";
    private static string SizePlot(IReadOnlyDictionary<string, IReadOnlyList<int>> loggedSizes)
    {
        var plot = new Plot();
        foreach (var (mode, values) in loggedSizes)
        {
            if (values.Count == 0)
            {
                continue;
            }

            var sorted = new List<int>(values);
            sorted.Sort();
            var xs = new double[sorted.Count];
            var ys = new double[sorted.Count];
            for (var i = 0; i < sorted.Count; i++)
            {
                xs[i] = Math.Log2(sorted[i]);
                ys[i] = (i + 1) / (double)sorted.Count;
            }

            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = mode;
            line.MarkerSize = 0;
            line.ConnectStyle = ConnectStyle.StepHorizontal;
        }

        var ticks = new[] { 64, 128, 256, 512, 1024, 4096, 16384, 65536 };
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(Array.ConvertAll(ticks, t => Math.Log2(t)), Array.ConvertAll(ticks, t => t >= 1024 ? $"{t / 1024} KiB" : $"{t} B"));
        return ReportPlots.Svg(plot, "Envelope sizes the relay logged (cumulative; each step is a size class)", "envelope bytes", "fraction of messages");
    }

    private static string LeakPlot(IReadOnlyList<MetadataRow> rows)
    {
        var plot = new Plot();
        var labels = new string[rows.Count];
        var known = new double[rows.Count];
        var linkable = new double[rows.Count];
        var cpu = new double[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            labels[i] = rows[i].Mode;
            known[i] = rows[i].SenderKnownFraction;
            linkable[i] = rows[i].Linkability;
            cpu[i] = rows[i].RelayCpuUsPerMessage;
        }

        var maxCpu = Math.Max(1, cpu.Max());
        var series = new (string Name, double[] Values, double Offset)[]
        {
            ("sender known (fraction)", known, -0.27),
            ("linkability (fraction)", linkable, 0),
            ($"relay CPU per message (÷ {maxCpu:0.#} µs)", Array.ConvertAll(cpu, c => c / maxCpu), 0.27),
        };
        foreach (var (name, values, offset) in series)
        {
            var bars = plot.Add.Bars(Enumerable.Range(0, values.Length).Select(i => i + offset).ToArray(), values);
            bars.LegendText = name;
            foreach (var bar in bars.Bars)
            {
                bar.Size = 0.25;
            }
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray(), labels);
        plot.Axes.SetLimitsY(0, 1.1);
        return ReportPlots.Svg(plot, "What the relay can tell about senders, and the relay's CPU per message", "mode", "fraction");
    }

}
