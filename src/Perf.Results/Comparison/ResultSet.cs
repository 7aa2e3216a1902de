using System.Globalization;
using Perf.Results.Benchmarks;
using Perf.Results.Files;
using Perf.Results.Model;

namespace Perf.Results.Comparison;

/// <summary>One side of a comparison: the benchmarks and load runs found in a file or a folder, by name.</summary>
public sealed class ResultSet
{
    /// <summary>Benchmark cases by full name.</summary>
    public Dictionary<string, BenchmarkCase> Benchmarks { get; } = new(StringComparer.Ordinal);

    /// <summary>Load runs by <see cref="LoadKey"/>.</summary>
    public Dictionary<string, PerfResult> Loads { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Loads a BenchmarkDotNet <c>*-report-full.json</c>, a <c>perf-result/1</c> file, or a folder holding any of them
    /// (searched recursively; other JSON files are ignored).
    /// </summary>
    /// <exception cref="BadInputException">When the path is missing, a file is unusable, the folder holds nothing comparable, or a name occurs twice.</exception>
    public static ResultSet Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var set = new ResultSet();
        if (File.Exists(path))
        {
            set.AddFile(path, explicitlyNamed: true);
        }
        else if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                set.AddFile(file, explicitlyNamed: false);
            }

            if (set.Benchmarks.Count == 0 && set.Loads.Count == 0)
            {
                throw new BadInputException($"{path}: no *{BenchmarkReportReader.FileSuffix} or perf-result/1 files in this folder");
            }
        }
        else
        {
            throw new BadInputException($"{path}: no such file or folder");
        }

        return set;
    }

    /// <summary>The name a load run is compared under: target, backend/cipher, message size and connections.</summary>
    public static string LoadKey(PerfResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var s = result.Scenario;
        return string.Create(CultureInfo.InvariantCulture, $"load {s.Target} {s.Backend}/{s.Cipher} {s.Size}B {s.Connections}conn");
    }

    private void AddFile(string file, bool explicitlyNamed)
    {
        if (file.EndsWith(BenchmarkReportReader.FileSuffix, StringComparison.OrdinalIgnoreCase))
        {
            AddBenchmarks(file, BenchmarkReportReader.Read(file));
            return;
        }

        string json = File.ReadAllText(file);
        if (ResultFile.LooksLikeResult(json) || (explicitlyNamed && json.Contains("\"schema\"", StringComparison.Ordinal)))
        {
            var result = ResultFile.Parse(json, file);
            string key = LoadKey(result);
            if (!Loads.TryAdd(key, result)) throw new BadInputException($"{file}: a second result for '{key}' on one side");
        }
        else if (explicitlyNamed)
        {
            // A report renamed by hand is still a report; anything else gets the reader's precise complaint.
            AddBenchmarks(file, BenchmarkReportReader.Parse(json, file));
        }
    }

    private void AddBenchmarks(string file, IEnumerable<BenchmarkCase> benchmarks)
    {
        foreach (var benchmark in benchmarks)
        {
            if (!Benchmarks.TryAdd(benchmark.Name, benchmark)) throw new BadInputException($"{file}: benchmark '{benchmark.Name}' appears twice on one side");
        }
    }
}
