using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load.Shards;
using Perf.Load.Targets.Cluster;

namespace Perf.Cli.Load;

/// <summary>
/// Load from more than one process or machine: <c>--shard I/N</c> runs slice I of the run (with a
/// common <c>--start-at</c>) and writes a result <c>perf merge</c> combines; <c>--generators K</c>
/// starts K such shard processes here and merges them itself; <c>--result-stdout</c> prints the
/// result between markers, for a pod whose files are gone when it ends.
/// </summary>
internal sealed class ShardArguments : OptionGroup
{
    /// <summary>The most local generator processes.</summary>
    public const int MaxGenerators = 64;

    private readonly Option<string?> _shard = new("--shard") { Description = "Run slice I (0-based) of N of the run: its connections, idle connections and share of the rate, every value given for the whole run. Needs --start-at and a target's address; perf merge combines the N results." };
    private readonly Option<string?> _startAt = new("--start-at") { Description = "With --shard: when the schedule starts (every shard the same), Unix seconds or ISO 8601 UTC, or stdin (print 'shard ready' once connected, then read 'start-at SECONDS')." };
    private readonly Option<int> _generators = new("--generators") { Description = "Start K shard processes here (pinned over --generator-cpus), each with 1/K of the connections, idle connections and rate, and merge their results into one." };
    private readonly Option<bool> _resultStdout = new("--result-stdout") { Description = "Also print the result JSON between -----BEGIN PERF RESULT----- and -----END PERF RESULT----- (perf k6 extract reads them from a pod's log)." };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_shard, _startAt, _generators, _resultStdout];

    /// <summary>How the run is split, or <c>null</c> with a one-line <paramref name="problem"/>.</summary>
    public ShardOptions? Read(ParseResult parseResult, IReadOnlyList<string> targets, int connections, bool findMax, out string? problem)
    {
        problem = null;
        var shardText = parseResult.GetValue(_shard);
        var startText = parseResult.GetValue(_startAt);
        var generators = parseResult.GetResult(_generators) is { Implicit: false } ? parseResult.GetValue(_generators) : 0;
        var options = new ShardOptions(null, null, false, generators, parseResult.GetValue(_resultStdout));
        if (shardText is null && generators == 0)
        {
            problem = startText is null ? null : "--start-at is the common start of --shard runs: give --shard I/N too.";
            return problem is null ? options : null;
        }

        if (targets.Count != 1 || findMax)
        {
            problem = "--shard and --generators split one run of one target: not --targets, not --find-max (a search's steps cannot be merged).";
            return null;
        }

        var target = targets[0];
        if (generators != 0)
        {
            problem = shardText is not null || startText is not null ? "--generators starts its own shards (each with --shard and --start-at): give one or the other."
                : generators is < 1 or > MaxGenerators ? $"--generators must be 1 to {MaxGenerators}."
                : connections < generators ? $"--connections {connections} cannot be split over {generators} generators: each needs one at least."
                : !ClusterArguments.IsCluster(target) && !IsAddress(target) ? $"--generators starts relay-cluster or drives a target's address; '{target}' is started by each process on its own: give relay-cluster, or an address."
                : null;
            return problem is null ? options : null;
        }

        if (!ShardPlan.TryParse(shardText, out var shard, out problem))
        {
            return null;
        }

        if (!IsAddress(target))
        {
            problem = $"--shard drives a target someone else started, which every shard shares: give its address (relay-tcp://, relay-ws://, nats://, echo://, {ClusterNodes.Scheme}HOST:PORT,...), not '{target}'; or --generators K to start relay-cluster and K shards here.";
            return null;
        }

        if (connections < shard!.Count)
        {
            problem = $"--connections {connections} cannot be split into {shard.Count} shards: each needs one at least.";
            return null;
        }

        if (startText is null)
        {
            problem = "--shard needs --start-at: the common start every shard schedules against (Unix seconds, ISO 8601, or stdin), so all shards measure the same window.";
            return null;
        }

        var fromInput = startText.Trim().Equals(ShardStart.FromInput, StringComparison.OrdinalIgnoreCase);
        var startAt = default(DateTimeOffset);
        if (!fromInput && !ShardStart.TryParseTime(startText, out startAt))
        {
            problem = $"--start-at '{startText}': expected Unix seconds (e.g. 1767225600), an ISO 8601 time with its offset (e.g. 2026-01-01T00:00:00Z), or stdin.";
            return null;
        }

        return options with { Shard = shard, StartAt = fromInput ? null : startAt, StartFromInput = fromInput };
    }

    private static bool IsAddress(string target) => target.Contains("://", StringComparison.Ordinal);
}

/// <summary>How a run is split over processes, as the options asked.</summary>
/// <param name="Shard">This process's slice, or <c>null</c>.</param>
/// <param name="StartAt">The common start (with <see cref="Shard"/>), or <c>null</c> when read from standard input.</param>
/// <param name="StartFromInput">The start is read from standard input.</param>
/// <param name="Generators">Shard processes to start here (0: none).</param>
/// <param name="ResultStdout">Print the result between markers.</param>
internal sealed record ShardOptions(ShardPlan? Shard, DateTimeOffset? StartAt, bool StartFromInput, int Generators, bool ResultStdout)
{
    /// <summary>How many processes share the run's clients: the generators, the shards, or this one alone.</summary>
    public int Processes => Generators > 0 ? Generators : Shard?.Count ?? 1;
}
