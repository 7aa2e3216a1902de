namespace Perf.Vectors;

/// <summary>Counts case outcomes for one file × algorithm × backend and turns them into a <see cref="VectorResultRow"/>.</summary>
public sealed class VectorTally
{
    /// <summary>Cases that gave the expected answer.</summary>
    public int Passed { get; private set; }

    /// <summary>Cases that did not.</summary>
    public int Failed { get; private set; }

    /// <summary>Cases not run.</summary>
    public int Skipped { get; private set; }

    /// <summary>Counts one case.</summary>
    public void Add(CaseOutcome outcome)
    {
        switch (outcome)
        {
            case CaseOutcome.Passed:
                Passed++;
                break;
            case CaseOutcome.Failed:
                Failed++;
                break;
            default:
                Skipped++;
                break;
        }
    }

    /// <summary>Counts <paramref name="count"/> cases as skipped (a backend that lacks the algorithm).</summary>
    public void Skip(int count) => Skipped += count;

    /// <summary>The row for these counts.</summary>
    public VectorResultRow ToRow(string file, string algorithm, string backend) =>
        new(file, algorithm, backend, Passed, Failed, Skipped);
}
