using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Perf.Benchmarks.Infrastructure;

/// <summary>Bytes per second (shown in GB/s) for benchmarks that process <c>Size</c> bytes per operation.</summary>
public sealed class ThroughputColumn : IColumn
{
    /// <inheritdoc />
    public string Id => nameof(ThroughputColumn);

    /// <inheritdoc />
    public string ColumnName => "Throughput";

    /// <inheritdoc />
    public bool AlwaysShow => true;

    /// <inheritdoc />
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc />
    public int PriorityInCategory => 0;

    /// <inheritdoc />
    public bool IsNumeric => true;

    /// <inheritdoc />
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc />
    public string Legend => "Bytes processed per second (Size / Mean), in GB/s";

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc />
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var size = Size(benchmarkCase);
        var report = summary[benchmarkCase];
        var mean = report?.ResultStatistics?.Mean;
        if (size is null || mean is null or <= 0)
        {
            return "-";
        }

        var bytesPerSecond = size.Value / (mean.Value / 1e9);
        return (bytesPerSecond / 1e9).ToString("F3", CultureInfo.InvariantCulture) + " GB/s";
    }

    /// <inheritdoc />
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc />
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => Size(benchmarkCase) is null;

    private static int? Size(BenchmarkCase benchmarkCase)
    {
        foreach (var parameter in benchmarkCase.Parameters.Items)
        {
            if (parameter.Name == "Size" && parameter.Value is int size)
            {
                return size;
            }
        }

        return null;
    }
}
