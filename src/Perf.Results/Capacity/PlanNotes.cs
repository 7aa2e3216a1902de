namespace Perf.Results.Capacity;

/// <summary>What a plan collects besides its numbers: the assumptions it made and what makes its input weak, one line each.</summary>
internal sealed class PlanNotes
{
    /// <summary>Assumptions taken from the inputs and the result.</summary>
    public List<string> Assumptions { get; } = [];

    /// <summary>Warnings: the measurement is a weak basis for the plan, or a figure was not measured.</summary>
    public List<string> Warnings { get; } = [];

    public void Assume(string line) => Assumptions.Add(line);

    public void Warn(string line) => Warnings.Add(line);
}
