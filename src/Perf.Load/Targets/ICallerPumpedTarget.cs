using Perf.Load.Net;

namespace Perf.Load.Targets;

/// <summary>
/// A target whose connections are <see cref="DirectSockets"/>: the generator's scheduling thread
/// then also reads them while it waits for each next send, so one thread both sends and receives.
/// </summary>
public interface ICallerPumpedTarget
{
    /// <summary>The sockets the scheduling thread reads, or <c>null</c> when this target's connections use another client.</summary>
    DirectSockets? Sockets { get; }
}
