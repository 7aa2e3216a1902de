using System.CommandLine;
using Perf.Cli.Options;

namespace Perf.Cli.Load;

/// <summary>
/// <c>perf load</c>'s targets: <c>--target</c>, or several in a row with <c>--targets</c> (default
/// <c>relay-tcp</c>), and <c>--repeat</c> rounds of them interleaved, so that figures compared
/// side by side come from the same setup and the same minutes.
/// </summary>
internal sealed class LoadTargetArguments : OptionGroup
{
    /// <summary>The most rounds one command runs.</summary>
    public const int MaxRepeat = 100;

    private readonly Option<string?> _target = new("--target") { Description = "SCHEME://HOST:PORT (relay-tcp, relay-ws, nats, echo), a bare name to start that target embedded, or relay-cluster (NATS cluster and relay nodes as processes)." };
    private readonly Option<string?> _targets = new("--targets") { Description = "Comma-separated targets run one after another with the same scenario, all placed alike (every one in its own process with --target-process), into one run folder." };
    private readonly Option<int> _repeat = new("--repeat") { Description = "Rounds of the targets, interleaved (echo, A, B, echo, A, B, ...): each ratio over the echo floor is reported with its median and range.", DefaultValueFactory = _ => 1 };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_target, _targets, _repeat];

    /// <summary>The targets to run, in order.</summary>
    public string[] Read(ParseResult parseResult) =>
        parseResult.GetValue(_targets)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            ?? [parseResult.GetValue(_target) ?? "relay-tcp"];

    /// <summary>The rounds asked for, or false with a one-line <paramref name="problem"/>.</summary>
    public bool TryReadRepeat(ParseResult parseResult, out int repeat, out string? problem)
    {
        repeat = parseResult.GetValue(_repeat);
        problem = repeat is < 1 or > MaxRepeat ? $"--repeat takes 1 to {MaxRepeat} rounds." : null;
        return problem is null;
    }

    /// <summary>
    /// Whether every target runs the same way (all embedded, all in their own processes, or all
    /// running already at an address): a table that mixes them compares two setups. False with a
    /// one-line <paramref name="problem"/> naming the odd one.
    /// </summary>
    public static bool RunAlike(IReadOnlyList<string> targets, bool targetProcess, out string? problem)
    {
        problem = null;
        var placements = targets.Select(t => Placement(t, targetProcess)).ToList();
        var common = placements.GroupBy(p => p).OrderByDescending(g => g.Count()).First().Key;
        var odd = placements.FindIndex(p => p != common);
        if (odd < 0)
        {
            return true;
        }

        var fix = (common, placements[odd]) switch
        {
            (Embedded, OwnProcess) or (OwnProcess, Embedded) => "add --target-process so every one runs in its own process",
            _ => "give every target as a bare name (started here) or every one as an address",
        };
        problem = $"--targets runs every target the same way, but {targets[odd]} would run {placements[odd]} and {string.Join(", ", targets.Where((_, i) => placements[i] == common))} {common}: {fix}.";
        return false;
    }

    /// <summary>The targets in the order of each round: echo (the floor) first, the others as given.</summary>
    public static IReadOnlyList<string> RoundOrder(IReadOnlyList<string> targets) =>
        [.. targets.Where(IsEcho), .. targets.Where(t => !IsEcho(t))];

    private const string Embedded = "embedded in this process";
    private const string OwnProcess = "in its own process";
    private const string External = "at an address (already running)";

    private static bool IsEcho(string target) => target.Trim().Equals("echo", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="target"/> runs in a process of its own: nats-server (nats, jetstream) and relay-cluster always; other bare names with --target-process.</summary>
    public static bool RunsInOwnProcess(string target, bool targetProcess) =>
        ClusterArguments.IsCluster(target) || (LoadTargetFactory.IsBareName(target) && (targetProcess || target.Trim().ToLowerInvariant() is "nats" or "jetstream"));

    private static string Placement(string target, bool targetProcess) =>
        RunsInOwnProcess(target, targetProcess) ? OwnProcess
        : LoadTargetFactory.IsBareName(target) ? Embedded
        : External;
}
