using Perf.Results.Benchmarks;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Benchmarks;

public sealed class BenchmarkReportReaderTests
{
    [Fact]
    public void Reads_result_stage_ns_per_op_and_allocations()
    {
        string json = BenchmarkReportFixture.Json(
            new("Perf.Benchmarks.Aead.Seal(Size: 256)", [100, 110, 90], 0),
            new("Perf.Benchmarks.Frame.Parse", [12.5, 12.5], null));

        var cases = BenchmarkReportReader.Parse(json, "fixture");

        Assert.Equal(2, cases.Count);
        Assert.Equal("Perf.Benchmarks.Aead.Seal(Size: 256)", cases[0].Name);
        // Only the three Workload/Result measurements, divided by their operation count; warm-up's 999999999 is ignored.
        Assert.Equal([100, 110, 90], cases[0].NanosecondsPerOperation, new Tolerance(1e-9));
        Assert.Equal(0, cases[0].AllocatedBytesPerOperation);
        Assert.Null(cases[1].AllocatedBytesPerOperation);
    }

    [Fact]
    public void A_hand_written_report_reads()
    {
        // Trimmed from the exporter's shape: 2 Result iterations of 1000 ops at 2000 and 3000 ns.
        const string json = """
        {"Title":"X","Benchmarks":[{"FullName":"A.B","Statistics":{"Mean":2.5},
          "Memory":{"Gen0Collections":0,"BytesAllocatedPerOperation":48,"TotalOperations":2000},
          "Measurements":[
            {"IterationMode":"Overhead","IterationStage":"Result","Operations":1000,"Nanoseconds":10},
            {"IterationMode":"Workload","IterationStage":"Pilot","Operations":16,"Nanoseconds":80},
            {"IterationMode":"Workload","IterationStage":"Result","Operations":1000,"Nanoseconds":2000},
            {"IterationMode":"Workload","IterationStage":"Result","Operations":1000,"Nanoseconds":3000}]}]}
        """;

        var single = Assert.Single(BenchmarkReportReader.Parse(json, "hand"));

        Assert.Equal([2.0, 3.0], single.NanosecondsPerOperation);
        Assert.Equal(48, single.AllocatedBytesPerOperation);
    }

    [Theory]
    [InlineData("A.B.Seal(Size: 256, Cipher: \"aes-256-gcm/sodium\")", "A.B.Seal(Cipher: \"aes-256-gcm/sodium\", Size: 256)")]
    [InlineData("A.B.Seal(Cipher: \"aes-256-gcm/sodium\", Size: 256)", "A.B.Seal(Cipher: \"aes-256-gcm/sodium\", Size: 256)")]
    [InlineData("A.B.Seal", "A.B.Seal")]
    [InlineData("A.B.Seal(Size: 256)", "A.B.Seal(Size: 256)")]
    public void Names_list_parameters_in_name_order_so_a_reordered_benchmark_still_matches_its_baseline(string fullName, string expected)
    {
        Assert.Equal(expected, BenchmarkReportReader.CanonicalName(fullName));
        var json = "{\"Benchmarks\":[{\"FullName\":" + System.Text.Json.JsonSerializer.Serialize(fullName) + "}]}";
        Assert.Equal(expected, Assert.Single(BenchmarkReportReader.Parse(json, "r.json")).Name);
    }

    [Theory]
    [InlineData("{", "malformed JSON")]
    [InlineData("{\"Title\":\"x\"}", "no Benchmarks array")]
    [InlineData("{\"Benchmarks\":[{\"Method\":\"M\"}]}", "has no FullName")]
    [InlineData("{\"Benchmarks\":[{\"FullName\":\"A\",\"Measurements\":[{\"IterationMode\":\"Workload\",\"IterationStage\":\"Result\",\"Nanoseconds\":5}]}]}", "not a BenchmarkDotNet full JSON report")]
    public void Broken_reports_are_bad_input(string json, string expected)
    {
        var error = Assert.Throws<BadInputException>(() => BenchmarkReportReader.Parse(json, "r.json"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= epsilon;

        public int GetHashCode(double obj) => 0;
    }
}
