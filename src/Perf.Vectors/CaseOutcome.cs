namespace Perf.Vectors;

/// <summary>What one vector case did on one backend.</summary>
public enum CaseOutcome
{
    /// <summary>The backend gave the expected answer.</summary>
    Passed,

    /// <summary>The backend gave another answer.</summary>
    Failed,

    /// <summary>The case was not run (parameters the backend does not offer).</summary>
    Skipped,
}
