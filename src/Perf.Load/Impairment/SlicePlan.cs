namespace Perf.Load.Impairment;

/// <summary>
/// Writes split into small pieces with a pause after each (Toxiproxy's <c>slicer</c>): the same
/// bytes arrive in many more reads, as a congested or fragmenting path delivers them, which
/// exercises every reader's reassembly.
/// </summary>
/// <param name="AverageBytes">Average piece size.</param>
/// <param name="VariationBytes">Each piece is drawn from average ± variation (below the average).</param>
/// <param name="Delay">Pause after each piece.</param>
public sealed record SlicePlan(int AverageBytes, int VariationBytes, TimeSpan Delay);
