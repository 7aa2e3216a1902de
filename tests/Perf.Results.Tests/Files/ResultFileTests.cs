using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Testing.Folders;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Files;

public sealed class ResultFileTests : TempFolder
{
    [Fact]
    public void Written_file_reads_back_identically()
    {
        var original = ResultFixture.Load();
        string path = Path.Combine(Folder, "run.json");

        ResultFile.Write(path, original);
        var read = ResultFile.Read(path);

        Assert.Equal(ResultFile.ToJson(original), ResultFile.ToJson(read));
        Assert.Equal(900, read.Metrics.EndToEndUs!.P99);
        Assert.Equal(3, read.FindMax!.Steps.Count);
        Assert.Null(read.Metrics.ForwardUs);
    }

    [Fact]
    public void Uses_snake_case_names_and_omits_missing_histograms()
    {
        string json = ResultFile.ToJson(ResultFixture.Load());

        Assert.Contains("\"schema\": \"perf-result/1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"end_to_end_us\"", json, StringComparison.Ordinal);
        Assert.Contains("\"throughput_msgs_per_s\"", json, StringComparison.Ordinal);
        Assert.Contains("\"max_sustainable_rate\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("forward_us", json, StringComparison.Ordinal);
        Assert.DoesNotContain("machine_name", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"schema\": \"perf-result/1\"", "\"schema\": \"perf-result/2\"", "schema is 'perf-result/2'")]
    [InlineData("\"kind\": \"load\"", "\"kind\": \"micro\"", "kind is 'micro'")]
    [InlineData("\"tool\": \"perf\"", "\"tool\": \"jmeter\"", "tool is 'jmeter'")]
    [InlineData("\"arrival\": \"poisson\"", "\"arrival\": \"burst\"", "arrival is 'burst'")]
    [InlineData("\"connections\": 1000", "\"connections\": -1", "connections must be positive")]
    [InlineData("\"connections\": 1000", "\"connections\": \"many\"", "not a perf-result/1 file")]
    [InlineData("\"metrics\": {", "\"metrix\": {", "not a perf-result/1 file")]
    public void Rejects_documents_that_break_the_schema(string find, string replace, string expected)
    {
        string json = ResultFile.ToJson(ResultFixture.Load());
        Assert.Contains(find, json, StringComparison.Ordinal);

        var error = Assert.Throws<BadInputException>(() => ResultFile.Parse(json.Replace(find, replace, StringComparison.Ordinal), "x.json"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("x.json: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("\"seconds\": 60,", "\"seconds\": 0,", "series[0] must start at or after 0 and last a positive time")]
    [InlineData("\"gc_pause_ms\": 2.5,", "\"gc_pause_ms\": -2.5,", "series[0] process figures must not be negative")]
    [InlineData("\"passed\": true,", "\"passed\": false,", "soak.passed must be true exactly when soak.failures is empty")]
    [InlineData("\"rate_per_second\": 5000,", "\"rate_per_second\": 0,", "handshake_flood.rate_per_second must be positive")]
    [InlineData("\"delivered_percent\": 100,", "\"delivered_percent\": 101,", "handshake_flood.baseline counts must not be negative, delivered at most sent, delivered_percent 0-100")]
    [InlineData("\"delivered\": 8955000,", "\"delivered\": 9955000,", "handshake_flood.flooded counts must not be negative, delivered at most sent")]
    public void Rejects_soak_sections_that_break_their_rules(string find, string replace, string expected)
    {
        var json = ResultFile.ToJson(ResultFixture.Soak());
        Assert.Contains(find, json, StringComparison.Ordinal);

        var ex = Assert.Throws<BadInputException>(() => ResultFile.Parse(json.Replace(find, replace, StringComparison.Ordinal), "soak.json"));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_k6_result_without_machine_fields_reads_but_a_perf_one_does_not()
    {
        var k6 = ResultFixture.Load() with { Tool = "k6", Environment = new EnvironmentInfo { Backend = "k6-webcrypto", Cipher = "aes-256-gcm" } };
        string json = ResultFile.ToJson(k6);

        Assert.Null(ResultFile.Parse(json, "k6.json").Environment.Cores);
        var error = Assert.Throws<BadInputException>(() => ResultFile.Parse(json.Replace("\"tool\": \"k6\"", "\"tool\": \"perf\"", StringComparison.Ordinal), "x.json"));
        Assert.Contains("environment must record cpu_model", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_and_malformed_files_are_bad_input()
    {
        Assert.Contains("file not found", Assert.Throws<BadInputException>(() => ResultFile.Read(Path.Combine(Folder, "nope.json"))).Message, StringComparison.Ordinal);
        string broken = Path.Combine(Folder, "broken.json");
        File.WriteAllText(broken, "{\"schema\": ");
        Assert.Throws<BadInputException>(() => ResultFile.Read(broken));
    }

    [Fact]
    public void Writing_an_invalid_result_is_refused()
    {
        var invalid = ResultFixture.Load() with { Tool = "curl" };

        Assert.Throws<BadInputException>(() => ResultFile.Write(Path.Combine(Folder, "bad.json"), invalid));
        Assert.False(File.Exists(Path.Combine(Folder, "bad.json")));
    }

    [Fact]
    public void Sniffing_recognises_only_perf_results()
    {
        Assert.True(ResultFile.LooksLikeResult(ResultFile.ToJson(ResultFixture.Load())));
        Assert.False(ResultFile.LooksLikeResult(BenchmarkReportFixture.Json()));
        Assert.False(ResultFile.LooksLikeResult("not json"));
        Assert.False(ResultFile.LooksLikeResult("[1,2]"));
    }
}
