using System.Text.Json;
using HdrHistogram;
using Json.Schema;
using Perf.Results.Files;
using Perf.Results.Merging;
using Perf.Results.Model;
using Perf.Results.Reports.Run;
using Perf.Testing.Folders;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Merging;

/// <summary>perf merge: shards add up exactly to the unsharded run, and anything that is not the complete shards of one run is refused by name.</summary>
public sealed class ResultMergerTests : TempFolder
{
    private static readonly long[] Values = ShardFixture.Latencies(30_000, seed: 7);

    [Fact]
    public void Two_shards_merge_to_the_unsharded_counts_and_histogram()
    {
        var a = ShardFixture.WritePerf(Folder, Values, 0, 2);
        var b = ShardFixture.WritePerf(Folder, Values, 1, 2);

        var merged = ResultMerger.Merge([b, a]);
        var r = merged.Result;

        var whole = ShardFixture.Whole(Values);
        Assert.Equal(LatencyMetric.FromHistogram(whole), r.Metrics.EndToEndUs);
        Assert.Equal(Values.Length, r.Metrics.Delivered);
        Assert.Equal(Values.Length + 4, r.Metrics.Sent);
        Assert.Equal(2, r.Metrics.Lost);
        Assert.Equal(2, r.Metrics.Rejected);
        Assert.Equal(Values.Length / 3.0, r.Metrics.ThroughputMsgsPerS, 9);
        Assert.Equal(20, r.Scenario.Connections);
        Assert.Equal(2000, r.Scenario.Rate);
        Assert.Null(r.Shard);
        Assert.Equal([0, 1], r.Shards!.Select(s => s.Index));
        Assert.Equal(ShardFixture.Start, r.StartedAt);
        // Generators are separate processes: cores add, CPU per message is over every delivery.
        Assert.Equal(1.0, r.Generator!.CoresUsed, 9);
        Assert.Equal(100.5, r.Generator.CpuUsPerMessage!.Value, 9);
    }

    [Fact]
    public void Errors_and_their_reasons_add_over_the_shards()
    {
        var a = ShardFixture.WritePerf(Folder, Values, 0, 2, change: r => r with { Metrics = r.Metrics with { Errors = 3, ErrorsByReason = new Dictionary<string, long> { ["too_far_ahead"] = 3 } } });
        var b = ShardFixture.WritePerf(Folder, Values, 1, 2, change: r => r with { Metrics = r.Metrics with { Errors = 2, ErrorsByReason = new Dictionary<string, long> { ["authentication_failed"] = 1, ["too_far_ahead"] = 1 } } });

        var metrics = ResultMerger.Merge([a, b]).Result.Metrics;

        Assert.Equal(5, metrics.Errors);
        Assert.Equal(new Dictionary<string, long> { ["authentication_failed"] = 1, ["too_far_ahead"] = 4 }, metrics.ErrorsByReason);
    }

    [Fact]
    public void Histograms_add_exactly_bucket_for_bucket()
    {
        var paths = Enumerable.Range(0, 3).Select(i => ShardFixture.WritePerf(Folder, Values, i, 3)).ToArray();

        var total = ResultMerger.Merge(paths).Histograms["end_to_end_us"].Total;

        var whole = ShardFixture.Whole(Values);
        Assert.Equal(whole.TotalCount, total.TotalCount);
        foreach (var bucket in whole.RecordedValues())
        {
            Assert.Equal(bucket.CountAtValueIteratedTo, total.GetCountAtValue(bucket.ValueIteratedTo));
        }
    }

    [Fact]
    public void Interval_series_line_up_by_time()
    {
        var a = ShardFixture.WritePerf(Folder, Values, 0, 2);
        var b = ShardFixture.WritePerf(Folder, Values, 1, 2);

        var intervals = ResultMerger.Merge([a, b]).Histograms["end_to_end_us"].Intervals;

        // The shards' intervals start 7 ms apart: each second's two become one.
        Assert.Equal(3, intervals.Count);
        Assert.Equal([10_000L, 10_000L, 10_000L], intervals.Select(i => i.TotalCount));
        Assert.Equal([0L, 1000L, 2000L], intervals.Select(i => i.StartTimeStamp - ShardFixture.Start.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public void K6_shards_merge_from_the_histograms_inside_them()
    {
        var a = ShardFixture.WriteK6(Folder, Values, 0, 2);
        var b = ShardFixture.WriteK6(Folder, Values, 1, 2);

        var merged = ResultMerger.Merge([a, b]);

        Assert.Equal("k6", merged.Result.Tool);
        Assert.Equal(LatencyMetric.FromHistogram(ShardFixture.Whole(Values)), merged.Result.Metrics.EndToEndUs);
        Assert.Single(merged.Histograms["end_to_end_us"].Intervals);
    }

    [Fact]
    public void A_perf_shard_merges_from_the_histograms_inside_it_when_copied_away_and_from_its_log_beside_it()
    {
        var a = ShardFixture.WritePerf(Folder, Values, 0, 2);
        var b = ShardFixture.WritePerf(Folder, Values, 1, 2);
        var copies = new List<string>();
        foreach (var path in (string[])[a, b])
        {
            // What perf load --shard writes: its histograms inside the file, so a copy alone merges (--out, --result-stdout).
            var result = ResultFile.Read(path);
            var pairs = ResultHistograms.ToPairs(ShardFile.Read(path).Histograms["end_to_end_us"].Total);
            result = result with { Metrics = result.Metrics with { EndToEndUs = result.Metrics.EndToEndUs! with { Histogram = pairs } } };
            ResultFile.Write(path, result);
            var copy = Path.Combine(Folder, $"copy-{copies.Count}.json");
            File.Copy(path, copy);
            copies.Add(copy);
        }

        var fromCopies = ResultMerger.Merge(copies);
        var fromFolders = ResultMerger.Merge([a, b]);

        // The pairs give the same whole histogram; the log beside the file adds its intervals.
        var whole = ShardFixture.Whole(Values);
        Assert.Equal(LatencyMetric.FromHistogram(whole), fromCopies.Result.Metrics.EndToEndUs);
        Assert.Equal(LatencyMetric.FromHistogram(whole), fromFolders.Result.Metrics.EndToEndUs);
        Assert.Single(fromCopies.Histograms["end_to_end_us"].Intervals);
        Assert.Equal(3, fromFolders.Histograms["end_to_end_us"].Intervals.Count);
    }

    [Fact]
    public void A_merged_run_validates_against_the_schema_reads_back_and_reports()
    {
        var a = ShardFixture.WritePerf(Folder, Values, 0, 2);
        var b = ShardFixture.WritePerf(Folder, Values, 1, 2);
        var output = Path.Combine(Folder, "merged");

        var path = ResultMerger.Merge([a, b]).Write(output);

        var schema = JsonSchema.FromText(File.ReadAllText(SchemaFile.Path()), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        using (var document = JsonDocument.Parse(File.ReadAllText(path)))
        {
            var evaluation = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
            Assert.True(evaluation.IsValid, string.Join("; ", (evaluation.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        }

        Assert.Equal(Values.Length, ResultFile.Read(path).Metrics.EndToEndUs!.Count);
        using (var log = new HistogramLogReader(File.OpenRead(Path.Combine(output, "end_to_end_us.hlog"))))
        {
            Assert.Equal(Values.Length, log.ReadHistograms().Sum(h => h.TotalCount));
        }

        var report = RunReportData.Load(output);
        Assert.Equal(Values.Length, report.Loads.Single().EndToEnd!.TotalCount);
        // A merged file is whole: merging it again with anything is refused.
        Assert.Contains("no shard object", Assert.Throws<BadInputException>(() => ResultMerger.Merge([path])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_merged_perf_run_keeps_each_shards_machine_and_validates_without_a_common_one()
    {
        var a = ShardFixture.WritePerf(Folder, Values, 0, 2);
        var b = ShardFixture.WritePerf(Folder, Values, 1, 2, change: r => r with { Environment = r.Environment with { CpuModel = "other cpu" } });

        var merged = ResultMerger.Merge([a, b]);
        var path = merged.Write(Path.Combine(Folder, "merged"));

        Assert.Null(merged.Result.Environment.CpuModel);
        Assert.Equal("other cpu", merged.Result.Shards![1].Environment.CpuModel);
        Assert.NotNull(ResultFile.Read(path).Shards);
    }

    [Fact]
    public void The_target_measured_by_one_shard_is_charged_over_every_delivery()
    {
        var a = ShardFixture.WritePerf(Folder, Values, 0, 2, change: r => r with { Target = new TargetUsage { Process = "perf relay", CoresUsed = 0.8, CpuUsPerMessage = 60, ContextSwitchesPerMessage = 2 } });
        var b = ShardFixture.WritePerf(Folder, Values, 1, 2);

        var target = ResultMerger.Merge([a, b]).Result.Target!;

        // Its CPU time is unchanged; the messages it served doubled.
        Assert.Equal(0.8, target.CoresUsed);
        Assert.Equal(30, target.CpuUsPerMessage!.Value, 9);
        Assert.Equal(1, target.ContextSwitchesPerMessage!.Value, 9);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "target", "scenario.target:" },
        { "tool", "tool:" },
        { "size", "scenario.size:" },
        { "count", "shard.count:" },
        { "twice", "shard 1 of 2 counted twice" },
        { "missing", "shard 2 of 3 missing" },
        { "no-shard", "no shard object" },
        { "find-max", "find_max:" },
        { "slices", "scenario.connections: the shards' slices add to 19" },
        { "target-twice", "target: measured by" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Refuses_files_that_are_not_the_complete_shards_of_one_run_naming_the_field(string broken, string expected)
    {
        var a = ShardFixture.WritePerf(Folder, Values, 0, 2);
        var other = Path.Combine(Folder, "other");
        var relay = new TargetUsage { Process = "perf relay", CoresUsed = 0.5 };
        string[] paths = broken switch
        {
            "target" => [a, ShardFixture.WritePerf(other, Values, 1, 2, change: r => r with { Scenario = r.Scenario with { Target = "relay-ws" } })],
            "tool" => [a, ShardFixture.WriteK6(other, Values, 1, 2)],
            "size" => [a, ShardFixture.WritePerf(other, Values, 1, 2, change: r => r with { Scenario = r.Scenario with { Size = 1024 } })],
            "count" => [a, ShardFixture.WritePerf(other, Values, 1, 3)],
            "twice" => [a, ShardFixture.WritePerf(other, Values, 1, 2), ShardFixture.WritePerf(Path.Combine(Folder, "again"), Values, 1, 2)],
            "missing" => [ShardFixture.WritePerf(other, Values, 0, 3), ShardFixture.WritePerf(other, Values, 1, 3)],
            "no-shard" => [a, ShardFixture.WritePerf(other, Values, 1, 2, change: r => r with { Shard = null })],
            "find-max" => [a, ShardFixture.WritePerf(other, Values, 1, 2, change: r => r with { FindMax = ResultFixture.Load().FindMax })],
            "slices" => [a, ShardFixture.WritePerf(other, Values, 1, 2, change: r => r with { Scenario = r.Scenario with { Connections = 9 } })],
            "target-twice" => [ShardFixture.WritePerf(other, Values, 0, 2, change: r => r with { Target = relay }), ShardFixture.WritePerf(other, Values, 1, 2, change: r => r with { Target = relay })],
            _ => throw new ArgumentOutOfRangeException(nameof(broken)),
        };

        var error = Assert.Throws<BadInputException>(() => ResultMerger.Merge(paths));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Refuses_a_latency_without_its_histogram_and_a_log_from_another_run()
    {
        var a = ShardFixture.WritePerf(Folder, Values, 0, 2);
        var b = ShardFixture.WritePerf(Folder, Values, 1, 2);
        var hlog = Path.Combine(Path.GetDirectoryName(b)!, "end_to_end_us.hlog");
        var theirs = File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(a)!, "end_to_end_us.hlog"));

        File.Delete(hlog);
        Assert.Contains("metrics.end_to_end_us has no histogram", Assert.Throws<BadInputException>(() => ResultMerger.Merge([a, b])).Message, StringComparison.Ordinal);

        var result = ResultFile.Read(b);
        ResultFile.Write(b, result with { Metrics = result.Metrics with { EndToEndUs = result.Metrics.EndToEndUs! with { Count = 12_345 } } });
        File.WriteAllBytes(hlog, theirs);
        Assert.Contains("another run's", Assert.Throws<BadInputException>(() => ResultMerger.Merge([a, b])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_another_schema_version_and_a_folder_that_already_holds_a_result()
    {
        var a = ShardFixture.WritePerf(Folder, Values, 0, 1);
        var v2 = Path.Combine(Folder, "v2.json");
        File.WriteAllText(v2, File.ReadAllText(a).Replace("perf-result/1", "perf-result/2", StringComparison.Ordinal));

        Assert.Contains("schema is 'perf-result/2'", Assert.Throws<BadInputException>(() => ResultMerger.Merge([v2])).Message, StringComparison.Ordinal);
        Assert.Contains("already holds result.json", Assert.Throws<BadInputException>(() => ResultMerger.Merge([a]).Write(Path.GetDirectoryName(a)!)).Message, StringComparison.Ordinal);
    }
}
