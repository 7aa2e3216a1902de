using System.Text;
using CsCheck;
using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Files;

/// <summary>
/// Properties of the <c>perf-result/1</c> reader: every valid result writes and reads back to the
/// same JSON, and any other text (arbitrary, cut, changed, nested too deep) is a
/// <see cref="BadInputException"/>, never another exception.
/// </summary>
public sealed class ResultFilePropertyTests
{
    // Text the JSON writer can encode: any UTF-16 except lone surrogates (argv and files never carry them).
    private static readonly Gen<string> Text = Gen.String[Gen.Char['\0', '\uD7FF'], 0, 40];
    private static readonly Gen<double> NonNegative = Gen.Double[0, 1e9];
    private static readonly Gen<double> Positive = Gen.Double[1e-3, 1e9];

    private static readonly Gen<LatencyMetric?> Latencies =
        Gen.Select(Gen.Long[0, long.MaxValue], NonNegative, NonNegative, NonNegative, NonNegative).Select((count, mean, p50, p99, max) =>
            new LatencyMetric { Count = count, Mean = mean, P50 = p50, P90 = p50, P99 = p99, P999 = p99, P9999 = p99, Max = max }).Null(0.3);

    private static readonly Gen<Scenario> Scenarios =
        Gen.Select(Text, Gen.Int[1, int.MaxValue], Positive, Gen.Int[0, int.MaxValue], Positive, NonNegative, Gen.OneOf("constant", "poisson"), Text)
            .Select((target, connections, rate, size, duration, warmup, arrival, cipher) => new Scenario
            {
                Target = target, Connections = connections, Rate = rate, Size = size, DurationS = duration, WarmupS = warmup,
                Arrival = arrival, Cipher = cipher, Backend = cipher,
            });

    private static readonly Gen<EnvironmentInfo> Environments =
        Gen.Select(Text, Gen.Int[1, 4096], Gen.Bool, Text, Text.Null(), Gen.Long[1, long.MaxValue].Nullable()).Select((cpu, cores, gc, backend, commit, memory) => new EnvironmentInfo
        {
            CpuModel = cpu, Cores = cores, Os = cpu, DotnetVersion = backend, GcServer = gc, GcConcurrent = !gc,
            Backend = backend, Cipher = cpu, GitCommit = commit, MemoryBytes = memory,
        });

    private static readonly Gen<LoadMetrics> Metrics =
        Gen.Select(Latencies, Latencies, Latencies, Gen.Long[0, long.MaxValue].Array[5], NonNegative).Select((seal, open, endToEnd, counters, throughput) => new LoadMetrics
        {
            SealUs = seal, OpenUs = open, EndToEndUs = endToEnd, ForwardUs = open, GeneratorLagUs = seal,
            Sent = counters[0], Accepted = counters[1], Delivered = counters[2], Rejected = counters[3], Lost = counters[4], ThroughputMsgsPerS = throughput,
        });

    private static readonly Gen<FindMax?> FindMaxes =
        Gen.Select(Gen.OneOf("p50", "p90", "p99", "p999", "p9999"), Positive, NonNegative.Array[0, 4], Text.Null(), Gen.Bool).Select((percentile, threshold, rates, stop, bound) => new FindMax
        {
            Slo = new Slo { Percentile = percentile, ThresholdUs = threshold },
            Steps = [.. rates.Select(rate => new FindMaxStep { Rate = rate, DeliveredRate = rate, P50Us = threshold, P99Us = threshold, P999Us = threshold, Passed = bound, RelayCores = bound ? rate : null })],
            MaxSustainableRate = rates.Length > 0 ? rates.Max() : 0,
            StopReason = stop,
            GeneratorBound = bound,
        }).Null(0.5);

    private static readonly Gen<RelayUsage?> Relays = Gen.Select(NonNegative, Positive).Select((memory, cores) => new RelayUsage { MemoryPerConnectionBytes = memory, CoresUsed = cores }).Null(0.5);

    private static readonly Gen<PerfResult> Results =
        Gen.Select(Gen.OneOf("perf", "k6"), Text, Scenarios, Environments, Gen.Long[0, 253_402_300_799], Metrics, FindMaxes, Relays)
            .Select((tool, command, scenario, environment, seconds, metrics, findMax, relay) => new PerfResult
            {
                Tool = tool, Command = command, Scenario = scenario, Environment = environment,
                StartedAt = DateTimeOffset.FromUnixTimeSeconds(seconds), Metrics = metrics, FindMax = findMax, Relay = relay,
            });

    [Fact]
    public void Valid_results_write_and_read_back_to_the_same_json() =>
        Results.Sample(result =>
        {
            var json = ResultFile.ToJson(result);
            var read = ResultFile.Parse(json, "generated.json");
            Assert.Equal(json, ResultFile.ToJson(read));
            Assert.Equal(result.Scenario, read.Scenario);
            Assert.Equal(result.Environment, read.Environment);
            Assert.Equal(result.StartedAt, read.StartedAt);
        }, iter: 500);

    [Fact]
    public void Any_text_is_a_result_or_bad_input() =>
        Gen.String[0, 200].Sample(AssertResultOrBadInput, iter: 3_000);

    [Fact]
    public void Every_cut_of_a_result_is_bad_input() =>
        Gen.Select(Results, Gen.Int[0, int.MaxValue]).Sample((result, position) =>
        {
            var json = ResultFile.ToJson(result);
            Assert.Throws<BadInputException>(() => ResultFile.Parse(json[..(position % json.Length)], "cut.json"));
        }, iter: 500);

    [Fact]
    public void A_result_with_any_character_changed_is_a_result_or_bad_input() =>
        Gen.Select(Results, Gen.Int[0, int.MaxValue], Gen.OneOf(Gen.Char, Gen.Char["{}[]\":,-+.eE0123456789 \\untrfals"])).Sample((result, position, character) =>
        {
            var json = new StringBuilder(ResultFile.ToJson(result));
            json[position % json.Length] = character;
            AssertResultOrBadInput(json.ToString());
        }, iter: 2_000);

    [Fact]
    public void Regression_a_value_with_an_escaped_line_break_is_quoted_on_one_line()
    {
        // Found by the property above (seed aEOvOhde9lK1): "poisson" with its second o turned into
        // a backslash reads as "poiss" and a line break, and the message quoted the break raw.
        var json = ResultFile.ToJson(ResultFixture.Load());
        Assert.Contains("\"arrival\": \"poisson\"", json, StringComparison.Ordinal);
        var error = Assert.Throws<BadInputException>(() => ResultFile.Parse(json.Replace("\"arrival\": \"poisson\"", "\"arrival\": \"poiss\\non\"", StringComparison.Ordinal), "x.json"));
        Assert.Contains("scenario.arrival is 'poiss\\u000aon'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(65)]
    [InlineData(100_000)]
    public void Nesting_too_deep_is_bad_input(int depth)
    {
        var json = ResultFile.ToJson(ResultFixture.Load()).Replace("\"command\": \"", "\"command\": " + new string('[', depth) + "\"", StringComparison.Ordinal);
        Assert.Throws<BadInputException>(() => ResultFile.Parse(json, "deep.json"));
    }

    [Theory]
    [InlineData("\"connections\": 1000", "\"connections\": 1e400")]
    [InlineData("\"connections\": 1000", "\"connections\": 99999999999999999999")]
    [InlineData("\"command\": \"perf load", "\"command\": \"\\ud800")]
    [InlineData("\"command\": \"perf load", "\"command\": \"\\u0000")]
    public void Out_of_range_numbers_and_odd_escapes_are_a_result_or_bad_input(string find, string replace)
    {
        var json = ResultFile.ToJson(ResultFixture.Load());
        Assert.Contains(find, json, StringComparison.Ordinal);
        AssertResultOrBadInput(json.Replace(find, replace, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("\"rate\": 20000,", "\"rate\": 1e400,", "$.scenario.rate")]
    [InlineData("\"p99\": 900,", "\"p99\": -1e309,", "$.metrics.end_to_end_us.p99")]
    [InlineData("\"target_cores\": 2,", "\"target_cores\": 2e308,", "$.find_max.steps[1].target_cores")]
    public void Regression_a_number_beyond_the_range_of_a_double_is_bad_input(string find, string replace, string path)
    {
        // Read as infinity, such a number passed the checks and then failed when written back.
        var json = ResultFile.ToJson(ResultFixture.Load());
        Assert.Contains(find, json, StringComparison.Ordinal);
        var error = Assert.Throws<BadInputException>(() => ResultFile.Parse(json.Replace(find, replace, StringComparison.Ordinal), "x.json"));
        Assert.Contains("a number is beyond the range of a double", error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    // The reader's contract on any text: a result that survives a rewrite, or BadInputException.
    private static void AssertResultOrBadInput(string json)
    {
        PerfResult result;
        try
        {
            result = ResultFile.Parse(json, "any.json");
        }
        catch (BadInputException e)
        {
            Assert.StartsWith("any.json: ", e.Message, StringComparison.Ordinal);
            Assert.False(e.Message.Contains('\n', StringComparison.Ordinal), e.Message); // the message, when one has a line break
            return;
        }

        var written = ResultFile.ToJson(result);
        Assert.Equal(written, ResultFile.ToJson(ResultFile.Parse(written, "rewritten.json")));
    }
}
