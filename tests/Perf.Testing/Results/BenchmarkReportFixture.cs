using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Perf.Testing.Results;

/// <summary>
/// Writes synthetic BenchmarkDotNet full JSON reports with known per-iteration ns/op, shaped like the real exporter's
/// output (overhead, warm-up and workload stages; only Workload/Result counts).
/// </summary>
public static class BenchmarkReportFixture
{
    public const long OperationsPerIteration = 1024;

    public sealed record Case(string FullName, double[] NanosecondsPerOperation, long? AllocatedBytes);

    /// <summary>Per-iteration ns/op around <paramref name="center"/>, each off by up to ±<paramref name="noise"/> (relative), from a fixed seed.</summary>
    public static double[] Samples(double center, double noise, int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => center * (1 + noise * (2 * random.NextDouble() - 1)))];
    }

    public static string Json(params Case[] cases)
    {
        var text = new StringBuilder();
        text.Append("{\"Title\":\"Synthetic-20260101-000000\",\"HostEnvironmentInfo\":{\"BenchmarkDotNetVersion\":\"0.15.8\",\"ProcessorName\":\"Synthetic CPU\"},\"Benchmarks\":[");
        text.AppendJoin(',', cases.Select(CaseJson));
        text.Append("]}");
        return text.ToString();
    }

    public static string Write(string folder, string name, params Case[] cases)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, $"{name}-report-full.json");
        File.WriteAllText(path, Json(cases));
        return path;
    }

    private static string CaseJson(Case c)
    {
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var measurements = new List<string>
        {
            // Stages that must be ignored carry absurd values so a reader that keeps them gets caught.
            $"{{\"IterationMode\":\"Overhead\",\"IterationStage\":\"Actual\",\"LaunchIndex\":1,\"IterationIndex\":1,\"Operations\":{OperationsPerIteration},\"Nanoseconds\":1}}",
            $"{{\"IterationMode\":\"Workload\",\"IterationStage\":\"Warmup\",\"LaunchIndex\":1,\"IterationIndex\":1,\"Operations\":{OperationsPerIteration},\"Nanoseconds\":999999999}}",
            $"{{\"IterationMode\":\"Workload\",\"IterationStage\":\"Actual\",\"LaunchIndex\":1,\"IterationIndex\":1,\"Operations\":{OperationsPerIteration},\"Nanoseconds\":999999999}}",
        };
        measurements.AddRange(c.NanosecondsPerOperation.Select((ns, i) =>
            $"{{\"IterationMode\":\"Workload\",\"IterationStage\":\"Result\",\"LaunchIndex\":1,\"IterationIndex\":{i + 1},\"Operations\":{OperationsPerIteration},\"Nanoseconds\":{F(ns * OperationsPerIteration)}}}"));
        string memory = c.AllocatedBytes is { } bytes
            ? $",\"Memory\":{{\"Gen0Collections\":0,\"Gen1Collections\":0,\"Gen2Collections\":0,\"TotalOperations\":{OperationsPerIteration},\"BytesAllocatedPerOperation\":{bytes}}}"
            : "";
        double mean = c.NanosecondsPerOperation.Length > 0 ? c.NanosecondsPerOperation.Average() : 0;
        // Real names quote string parameters (Cipher: "aes-256-gcm/sodium"): escaped as JSON strings.
        string name = JsonSerializer.Serialize(c.FullName);
        return $"{{\"DisplayInfo\":{name},\"Namespace\":\"Perf.Benchmarks\",\"Type\":\"Synthetic\",\"Method\":\"M\",\"MethodTitle\":\"M\",\"Parameters\":\"\",\"FullName\":{name},\"HardwareIntrinsics\":\"\",\"Statistics\":{{\"N\":{c.NanosecondsPerOperation.Length},\"Mean\":{F(mean)}}}{memory},\"Measurements\":[{string.Join(',', measurements)}]}}";
    }
}
