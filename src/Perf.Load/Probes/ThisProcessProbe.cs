namespace Perf.Load.Probes;

/// <summary>
/// This process, for a target embedded in the generator: the runtime's own figures
/// (<see cref="GC.GetGCMemoryInfo()"/>, <see cref="GC.CollectionCount"/>,
/// <see cref="GC.GetTotalPauseDuration"/>) and <c>/proc/self</c>. They include the generator's own
/// clients: a soak of an embedded target measures both together.
/// </summary>
public sealed class ThisProcessProbe : ITargetProbe
{
    /// <summary>The one instance.</summary>
    public static ThisProcessProbe Instance { get; } = new();

    private ThisProcessProbe()
    {
    }

    /// <inheritdoc />
    public Task<TargetSnapshot> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(new TargetSnapshot(
        ProcFs.ResidentBytes(Environment.ProcessId) ?? Environment.WorkingSet,
        ProcFs.OpenDescriptors(Environment.ProcessId),
        GC.GetGCMemoryInfo().HeapSizeBytes,
        GC.CollectionCount(2),
        GC.GetTotalPauseDuration().TotalSeconds,
        null));
}
