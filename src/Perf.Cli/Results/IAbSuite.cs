using Perf.Results.Comparison;

namespace Perf.Cli.Results;

/// <summary>One side of an A/B gate, built: which side, its commit, and its worktree.</summary>
/// <param name="Label"><c>base</c> or <c>head</c>.</param>
/// <param name="Commit">Full commit hash.</param>
/// <param name="Worktree">The folder its build lives in.</param>
internal sealed record AbBuild(string Label, string Commit, string Worktree)
{
    /// <summary>Whether this is the head (B) side.</summary>
    public bool IsHead => Label == "head";
}

/// <summary>What an A/B gate measures in one process of one side: the benchmark suite or a load run.</summary>
internal interface IAbSuite
{
    /// <summary><c>bench</c> or <c>load</c>.</summary>
    string Kind { get; }

    /// <summary>The project to build at each commit, relative to the repository root.</summary>
    string Project { get; }

    /// <summary>What a round's names are, for progress lines: <c>benchmark(s)</c>, <c>scenario</c>.</summary>
    string NamesAre { get; }

    /// <summary>The options that repeat one failing row, after <c>perf gate --ab BASE --head HEAD</c>, with a word on how to fill them in.</summary>
    string ReproduceOptions { get; }

    /// <summary>How to give unsure rows more rounds.</summary>
    string UnsureAdvice { get; }

    /// <summary>Checks what the builds can do before the first round (e.g. that both know the round job); may print notes.</summary>
    void Prepare(AbBuild baseBuild, AbBuild headBuild, TextWriter log);

    /// <summary>Runs one fresh process of <paramref name="side"/> for <paramref name="request"/> and returns what it measured.</summary>
    /// <param name="side">The build to run.</param>
    /// <param name="request">The round: its number and the names to run.</param>
    /// <param name="logFolder">Where a failed process's output is saved.</param>
    /// <param name="cancellationToken">Stops (and kills) the process.</param>
    /// <exception cref="Perf.Results.BadInputException">When the process fails or writes nothing usable.</exception>
    Task<IReadOnlyList<AbMeasurement>> RunAsync(AbBuild side, AbRoundRequest request, string logFolder, CancellationToken cancellationToken);
}
