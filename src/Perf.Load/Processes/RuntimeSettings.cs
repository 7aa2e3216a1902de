using System.Diagnostics;

namespace Perf.Load.Processes;

/// <summary>
/// The runtime settings a child starts with: the one set every .NET child of the harness gets
/// (<see cref="DotNet"/>), how they are added without overriding the user's own, and what a
/// result records of them (<c>target.runtime_settings</c>).
/// </summary>
public static class RuntimeSettings
{
    /// <summary>
    /// What every .NET child (<c>perf relay</c>, <c>perf echo</c>) starts with unless this process's
    /// environment sets it. Thread-pool workers that find no work spin before they sleep; that
    /// spinning is CPU time spent waiting, which would be counted as the child's cost per message
    /// and would shrink as the rate grows. Without it the CPU time is the child's work and its
    /// wake-ups. Tiered compilation off (as in <c>perf</c>'s runtime configuration, stated here so
    /// the result records it): no recompilation on a background thread mid-run.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DotNet { get; } = new Dictionary<string, string>
    {
        ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
        ["DOTNET_TieredCompilation"] = "0",
    };

    /// <summary>Sets <see cref="DotNet"/> and then <paramref name="more"/> in the child's environment, each unless this process's environment sets it (the user's choice wins).</summary>
    public static void AddDotNet(ProcessStartInfo start, IReadOnlyDictionary<string, string>? more = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        AddUnlessSet(start, DotNet);
        if (more is not null)
        {
            AddUnlessSet(start, more);
        }
    }

    /// <summary>
    /// What a child's runtime reads, as <c>NAME=VALUE</c> sorted: its <c>DOTNET_*</c> and
    /// <c>COMPlus_*</c> knobs (not the SDK's CLI settings) and Go's <c>GO*</c> variables.
    /// </summary>
    public static IReadOnlyList<string> Of(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var settings = new List<string>();
        foreach (var (name, value) in start.Environment)
        {
            var runtime = (name.StartsWith("DOTNET_", StringComparison.Ordinal) || name.StartsWith("COMPlus_", StringComparison.Ordinal) || name.StartsWith("GO", StringComparison.Ordinal))
                && !name.StartsWith("DOTNET_CLI_", StringComparison.Ordinal)
                && name is not ("DOTNET_ROOT" or "DOTNET_NOLOGO" or "DOTNET_GENERATE_ASPNET_CERTIFICATE" or "DOTNET_SKIP_FIRST_TIME_EXPERIENCE");
            if (runtime && value is not null)
            {
                settings.Add($"{name}={value}");
            }
        }

        settings.Sort(StringComparer.Ordinal);
        return settings;
    }

    private static void AddUnlessSet(ProcessStartInfo start, IReadOnlyDictionary<string, string> settings)
    {
        foreach (var (name, value) in settings)
        {
            if (Environment.GetEnvironmentVariable(name) is null)
            {
                start.Environment[name] = value;
            }
        }
    }
}
