using System.Text.Json;

namespace Perf.Results.Benchmarks;

/// <summary>One benchmark case of a BenchmarkDotNet run, reduced to what comparisons need.</summary>
/// <param name="Name">BenchmarkDotNet's full name (type, method and parameters).</param>
/// <param name="NanosecondsPerOperation">Per-iteration time of the workload's Result stage, ns/op.</param>
/// <param name="AllocatedBytesPerOperation">Managed bytes allocated per operation; null without MemoryDiagnoser.</param>
public sealed record BenchmarkCase(string Name, IReadOnlyList<double> NanosecondsPerOperation, long? AllocatedBytesPerOperation)
{
    /// <summary>The full name as BenchmarkDotNet wrote it (parameters in declaration order): what its <c>--filter</c> matches.</summary>
    public string ReportedName { get; init; } = Name;

    /// <summary>The benchmark class's name (e.g. <c>AeadBenchmarks</c>), when the report has it.</summary>
    public string? Type { get; init; }

    /// <summary>The benchmark method's name (e.g. <c>Seal</c>), when the report has it.</summary>
    public string? Method { get; init; }

    /// <summary>Parameter values by name (e.g. <c>Size</c> = <c>256</c>), from the report's <c>Parameters</c> text.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
}

/// <summary>Reads BenchmarkDotNet's full JSON export (<c>*-report-full.json</c>).</summary>
public static partial class BenchmarkReportReader
{
    /// <summary>The file name ending BenchmarkDotNet gives full JSON reports.</summary>
    public const string FileSuffix = "-report-full.json";

    /// <summary>Reads every benchmark of a full JSON report.</summary>
    /// <exception cref="BadInputException">When the file is missing or is not a BenchmarkDotNet full report.</exception>
    public static IReadOnlyList<BenchmarkCase> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new BadInputException($"{path}: file not found");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses full-report JSON; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="BadInputException">When the text is not a BenchmarkDotNet full report.</exception>
    public static IReadOnlyList<BenchmarkCase> Parse(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Benchmarks", out var benchmarks) || benchmarks.ValueKind != JsonValueKind.Array)
            {
                throw new BadInputException($"{source}: not a BenchmarkDotNet full JSON report (no Benchmarks array)");
            }

            var cases = new List<BenchmarkCase>();
            foreach (var benchmark in benchmarks.EnumerateArray())
            {
                cases.Add(ReadCase(benchmark, source));
            }

            return cases;
        }
        catch (JsonException e)
        {
            throw new BadInputException($"{source}: malformed JSON: {e.Message.ReplaceLineEndings(" ")}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException)
        {
            // JsonElement getters throw this when a value has the wrong type.
            throw new BadInputException($"{source}: not a BenchmarkDotNet full JSON report: {e.Message}", e);
        }
    }

    private static BenchmarkCase ReadCase(JsonElement benchmark, string source)
    {
        if (!benchmark.TryGetProperty("FullName", out var fullName) || fullName.ValueKind != JsonValueKind.String)
        {
            throw new BadInputException($"{source}: a benchmark has no FullName");
        }

        string name = CanonicalName(fullName.GetString()!);
        var perOperation = new List<double>();
        if (benchmark.TryGetProperty("Measurements", out var measurements) && measurements.ValueKind == JsonValueKind.Array)
        {
            foreach (var m in measurements.EnumerateArray())
            {
                // Only the workload's Result stage is the measurement: overhead, warm-up and pilot iterations are not.
                if (Text(m, "IterationMode") != "Workload" || Text(m, "IterationStage") != "Result") continue;
                double operations = m.GetProperty("Operations").GetDouble();
                double nanoseconds = m.GetProperty("Nanoseconds").GetDouble();
                if (operations <= 0) throw new BadInputException($"{source}: {name} has a measurement with no operations");
                perOperation.Add(nanoseconds / operations);
            }
        }

        long? allocated = null;
        if (benchmark.TryGetProperty("Memory", out var memory) && memory.ValueKind == JsonValueKind.Object
            && memory.TryGetProperty("BytesAllocatedPerOperation", out var bytes) && bytes.ValueKind == JsonValueKind.Number)
        {
            allocated = bytes.GetInt64();
        }

        return new BenchmarkCase(name, perOperation, allocated)
        {
            ReportedName = fullName.GetString()!,
            Type = Text(benchmark, "Type"),
            Method = Text(benchmark, "Method"),
            Parameters = ParseParameters(Text(benchmark, "Parameters")),
        };
    }

    /// <summary>
    /// The full name with its parameters in name order: BenchmarkDotNet lists them in declaration
    /// order, so reordering a benchmark's parameters would otherwise make every case look removed
    /// from the baseline and added to the candidate.
    /// </summary>
    /// <param name="fullName">e.g. <c>A.B.Seal(Size: 256, Cipher: "aes-256-gcm/sodium")</c>.</param>
    public static string CanonicalName(string fullName)
    {
        ArgumentNullException.ThrowIfNull(fullName);
        var open = fullName.IndexOf('(', StringComparison.Ordinal);
        if (open < 0 || !fullName.EndsWith(')'))
        {
            return fullName;
        }

        var pairs = ParameterSeparator().Split(fullName[(open + 1)..^1]);
        if (pairs.Length < 2)
        {
            return fullName;
        }

        Array.Sort(pairs, StringComparer.Ordinal);
        return string.Concat(fullName.AsSpan(0, open + 1), string.Join(", ", pairs), ")");
    }

    // ", " followed by the next parameter's "Name: " (this project's parameter values never hold that text).
    [System.Text.RegularExpressions.GeneratedRegex(@", (?=[A-Za-z_][A-Za-z0-9_]*: )")]
    private static partial System.Text.RegularExpressions.Regex ParameterSeparator();

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // BenchmarkDotNet writes parameters as "Cipher=aes-256-gcm/sodium&Size=256".
    private static Dictionary<string, string> ParseParameters(string? text)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(text))
        {
            return parameters;
        }

        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                parameters[pair[..equals]] = pair[(equals + 1)..];
            }
        }

        return parameters;
    }
}
