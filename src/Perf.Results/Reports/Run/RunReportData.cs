using HdrHistogram;
using Perf.Results.Benchmarks;
using Perf.Results.Files;
using Perf.Results.Model;

namespace Perf.Results.Reports.Run;

/// <summary>Everything a run folder holds that a report shows: load results with their latency histograms, benchmark cases, and the openssl ceiling.</summary>
public sealed class RunReportData
{
    private RunReportData(string folder, IReadOnlyList<LoadRun> loads, IReadOnlyList<BenchmarkCase> benchmarks, IReadOnlyDictionary<string, double> openSsl)
    {
        Folder = folder;
        Loads = loads;
        Benchmarks = benchmarks;
        OpenSslBytesPerSecond = openSsl;
    }

    /// <summary>The run folder (several, comma-separated, when a report reads more than one).</summary>
    public string Folder { get; }

    /// <summary>Load results found (any depth), oldest first.</summary>
    public IReadOnlyList<LoadRun> Loads { get; }

    /// <summary>Benchmark cases from every BenchmarkDotNet full report found.</summary>
    public IReadOnlyList<BenchmarkCase> Benchmarks { get; }

    /// <summary>openssl speed's figure per algorithm, bytes/s (empty when not recorded).</summary>
    public IReadOnlyDictionary<string, double> OpenSslBytesPerSecond { get; }

    /// <summary>Reads a run folder.</summary>
    /// <exception cref="BadInputException">The folder is missing, holds no results, or a file is malformed.</exception>
    public static RunReportData Load(string folder) => Load([folder]);

    /// <summary>Reads several run folders into one report's data (their runs ordered by start, <c>openssl speed</c> from the first that has it).</summary>
    /// <exception cref="BadInputException">A folder is missing, none holds results, or a file is malformed.</exception>
    public static RunReportData Load(IReadOnlyList<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        if (folders.Count == 0)
        {
            throw new BadInputException("give at least one run folder");
        }

        var loads = new List<LoadRun>();
        var benchmarks = new List<BenchmarkCase>();
        IReadOnlyDictionary<string, double> openSsl = new Dictionary<string, double>();
        foreach (var folder in folders)
        {
            if (!Directory.Exists(folder))
            {
                throw new BadInputException($"{folder}: no such folder (give a run folder such as results/runs/<timestamp>-quick)");
            }

            var before = loads.Count + benchmarks.Count;
            Read(folder, loads, benchmarks);
            if (loads.Count + benchmarks.Count == before)
            {
                throw new BadInputException($"{folder}: holds no perf-result/1 file and no BenchmarkDotNet *-report-full.json");
            }

            var speedFile = Path.Combine(folder, OpenSslSpeed.FileName);
            if (openSsl.Count == 0 && File.Exists(speedFile))
            {
                openSsl = OpenSslSpeed.Parse(File.ReadAllText(speedFile));
            }
        }

        loads.Sort((a, b) => a.Result.StartedAt.CompareTo(b.Result.StartedAt));
        return new RunReportData(string.Join(", ", folders.Select(Path.GetFullPath)), loads, benchmarks, openSsl);
    }

    // Every result file (any depth) with its end-to-end histogram, and every BenchmarkDotNet full report.
    private static void Read(string folder, List<LoadRun> loads, List<BenchmarkCase> benchmarks)
    {
        var files = Directory.GetFiles(folder, "*.json", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (file.EndsWith(BenchmarkReportReader.FileSuffix, StringComparison.Ordinal))
            {
                benchmarks.AddRange(BenchmarkReportReader.Read(file));
                continue;
            }

            var json = File.ReadAllText(file);
            if (ResultFile.LooksLikeResult(json))
            {
                var result = ResultFile.Parse(json, file);
                loads.Add(new LoadRun(file, result, ReadHistogram(Path.Combine(Path.GetDirectoryName(file)!, "end_to_end_us.hlog"))));
            }
        }
    }

    private static HistogramBase? ReadHistogram(string hlog)
    {
        if (!File.Exists(hlog))
        {
            return null;
        }

        try
        {
            using var reader = new HistogramLogReader(File.OpenRead(hlog));
            HistogramBase? total = null;
            foreach (var interval in reader.ReadHistograms())
            {
                if (total is null)
                {
                    total = interval.Copy();
                }
                else
                {
                    total.Add(interval);
                }
            }

            return total is { TotalCount: > 0 } ? total : null;
        }
        catch (Exception ex) when (ex is FormatException or IOException or IndexOutOfRangeException or ArgumentException)
        {
            throw new BadInputException($"{hlog}: not a readable HdrHistogram interval log: {ex.Message}", ex);
        }
    }
}

/// <summary>One load result and, when its interval log was found, its whole end-to-end histogram.</summary>
/// <param name="Path">The result file.</param>
/// <param name="Result">The result.</param>
/// <param name="EndToEnd">The end-to-end histogram (µs), or <c>null</c>.</param>
public sealed record LoadRun(string Path, PerfResult Result, HistogramBase? EndToEnd);
