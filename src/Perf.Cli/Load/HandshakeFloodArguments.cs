using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load.Hostile;
using Perf.Load.Os;

namespace Perf.Cli.Load;

/// <summary>
/// <c>--handshake-flood</c>, <c>--handshake-flood-kind</c>, <c>--handshake-flood-baseline</c>,
/// <c>--handshake-flood-pairs</c> and <c>--handshake-flood-cpus</c>: a hostile client beside the run
/// (docs/relay.md, "Abuse limits"), the same run without it first (or several pairs of both), and
/// where the flood's process runs.
/// </summary>
internal sealed class HandshakeFloodArguments : OptionGroup
{
    private readonly Option<double> _rate = new("--handshake-flood") { Description = "relay-tcp with --target-process: while the run goes, a hostile client in a process of its own (on --generator-cpus, SCHED_IDLE) from 127.0.0.254 opens N connections a second that send garbage and N that send a valid first Noise message and go silent; its counts go to the result's handshake_flood section." };
    private readonly Option<string> _kind = new("--handshake-flood-kind") { Description = "Which half of --handshake-flood runs: both (default), garbage or abandoned.", DefaultValueFactory = _ => "both" };
    private readonly Option<bool> _baseline = new("--handshake-flood-baseline") { Description = "Run the same scenario once without the flood first, against the same relay process, and keep its legitimate clients' delivery and p99 beside the flooded run's in handshake_flood (baseline, flooded, p99_ratio)." };

    private readonly Option<int> _pairs = new("--handshake-flood-pairs") { Description = "Run K pairs of the scenario without and with the flood against the same relay process (alternating which goes first; the last pair is the result's run) and keep every pair in handshake_flood.pairs, p99_ratio being the median of their ratios. Implies --handshake-flood-baseline (K = 1).", DefaultValueFactory = _ => 0 };

    private readonly Option<string?> _cpus = new("--handshake-flood-cpus") { Description = "Pin the flood's process to these CPUs instead of --generator-cpus (still SCHED_IDLE), e.g. the relay's: on loopback the kernel's work for the flood's packets runs on the sender's CPU, which is where a remote flood's lands (the relay's machine) only when the flood shares the relay's CPUs, not the generator's." };

    public HandshakeFloodArguments() => _kind.AcceptOnlyFromAmong("both", "garbage", "abandoned");

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_rate, _kind, _baseline, _pairs, _cpus];

    /// <summary>The most pairs <c>--handshake-flood-pairs</c> takes.</summary>
    public const int MaxPairs = 20;

    /// <summary>The flood asked for (<c>null</c>: none), or false with a one-line problem.</summary>
    /// <param name="parseResult">The command line.</param>
    /// <param name="findMax">Whether the command is a <c>--find-max</c> search (no baseline beside a search).</param>
    /// <param name="flood">The flood's rate of each kind, its kinds, how many pairs of runs without and with it (0: the flooded run alone), and its CPUs (<c>null</c>: the generator's).</param>
    /// <param name="problem">What is wrong, in one line.</param>
    public bool TryRead(ParseResult parseResult, bool findMax, out (double Rate, HandshakeFloodKinds Kinds, int Pairs, CpuSet? Cpus)? flood, out string? problem)
    {
        flood = null;
        problem = null;
        var rate = parseResult.GetValue(_rate);
        if (!double.IsFinite(rate) || rate < 0)
        {
            problem = "--handshake-flood takes connections a second of each kind, such as 5000.";
            return false;
        }

        var baseline = parseResult.GetValue(_baseline);
        if (baseline && (rate == 0 || findMax))
        {
            problem = "--handshake-flood-baseline runs one --handshake-flood run without its flood first: give --handshake-flood N, without --find-max.";
            return false;
        }

        var pairs = parseResult.GetValue(_pairs);
        if (pairs < 0 || pairs > MaxPairs || (pairs > 0 && (rate == 0 || findMax)))
        {
            problem = $"--handshake-flood-pairs takes 1 to {MaxPairs} pairs of runs without and with a --handshake-flood N, without --find-max.";
            return false;
        }

        var cpusText = parseResult.GetValue(_cpus);
        if (cpusText is not null && rate == 0)
        {
            problem = "--handshake-flood-cpus places the flood's process: give --handshake-flood N with it.";
            return false;
        }

        if (!PlacementArguments.TryCpus(cpusText, "--handshake-flood-cpus", out var cpus, ref problem))
        {
            return false;
        }

        if (rate > 0)
        {
            flood = (rate, Enum.Parse<HandshakeFloodKinds>(parseResult.GetValue(_kind)!, ignoreCase: true), Math.Max(pairs, baseline ? 1 : 0), cpus);
        }

        return true;
    }
}
