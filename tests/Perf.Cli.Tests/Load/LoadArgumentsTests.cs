using Perf.Cli.Tests.Results;

namespace Perf.Cli.Tests.Load;

/// <summary>
/// Each of <c>perf load</c>'s option groups refuses a bad value with its own one-line message and
/// exit 2, before anything starts: the messages users and scripts see, held fixed.
/// </summary>
public sealed class LoadArgumentsTests
{
    [Theory]
    [InlineData("--duration 3x", "--duration and --warmup take a time such as 30s, 2m or 500ms.")]
    [InlineData("--connections 0", "--connections must be 1 to 10000; got 0.")]
    [InlineData("--targets echo,relay-tcp --out x.json", "--out takes one target; with --targets each run gets its own folder under results/runs/.")]
    [InlineData("--repeat 0", "--repeat takes 1 to 100 rounds.")]
    [InlineData("--repeat 2 --out x.json", "--out takes one run; with --repeat every round's run goes into the run folder under results/runs/.")]
    [InlineData("--targets echo,relay-tcp,nats", "--targets runs every target the same way, but nats would run in its own process and echo, relay-tcp embedded in this process: add --target-process so every one runs in its own process.")]
    [InlineData("--targets echo,relay-tcp://127.0.0.1:1", "--targets runs every target the same way, but relay-tcp://127.0.0.1:1 would run at an address (already running) and echo embedded in this process: give every target as a bare name (started here) or every one as an address.")]
    [InlineData("--fault kill:relay:1@1s", "--fault, --fault-schedule, --fault-seed, --relay-nodes, --nats-nodes, --nats-cpus and --transport apply to --target relay-cluster only.")]
    [InlineData("--transport ws --target echo", "--fault, --fault-schedule, --fault-seed, --relay-nodes, --nats-nodes, --nats-cpus and --transport apply to --target relay-cluster only.")]
    [InlineData("--generators 2 --repeat 2 --target relay-cluster", "--shard and --generators split one run: not --repeat.")]
    [InlineData("--target relay-cluster --relay-nodes 99", "--relay-nodes must be 1 to 16 and --nats-nodes 1 to 7.")]
    [InlineData("--target relay-cluster --fault-seed 3", "--fault-seed is the seed of --fault-schedule's picks: give --fault-schedule random:EVERY too.")]
    [InlineData("--target relay-cluster --fault-schedule chaos", "--fault-schedule 'chaos': expected random:EVERY, e.g. random:30s (a random relay or NATS node restarted every 30 s of the measured window).")]
    [InlineData("--target relay-cluster --fault-schedule random:1s", "--fault-schedule 'random:1s': EVERY is a duration of at least 2s")]
    [InlineData("--target relay-cluster --find-max --fault kill:relay:0@1s", "--fault and --fault-schedule count from one measured window; --find-max runs many: give one or the other.")]
    [InlineData("--target relay-cluster://127.0.0.1:1 --fault-schedule random:10s", "--fault, --fault-schedule, --fault-seed, --nats-cpus and --target-cpus act on a relay cluster this command starts (--target relay-cluster), not on one at an address.")]
    [InlineData("--target relay-cluster --reconnect-storm 10", "--reconnect-storm does not apply to relay-cluster: it starts its own relay and NATS processes, with their own key, secret and store.")]
    [InlineData("--shard 2/2 --target echo://127.0.0.1:1", "--shard 2/2: N must be 1 to 1024 and I from 0 to N - 1.")]
    [InlineData("--shard 1:2 --target echo://127.0.0.1:1", "--shard '1:2': expected I/N, shard I (0-based) of N, e.g. 0/4.")]
    [InlineData("--shard 0/2 --target echo", "--shard drives a target someone else started, which every shard shares: give its address")]
    [InlineData("--shard 0/2 --target echo://127.0.0.1:1", "--shard needs --start-at: the common start every shard schedules against")]
    [InlineData("--shard 0/2 --start-at soon --target echo://127.0.0.1:1", "--start-at 'soon': expected Unix seconds (e.g. 1767225600), an ISO 8601 time with its offset (e.g. 2026-01-01T00:00:00Z), or stdin.")]
    [InlineData("--shard 0/20 --connections 10 --start-at 1 --target echo://127.0.0.1:1", "--connections 10 cannot be split into 20 shards: each needs one at least.")]
    [InlineData("--start-at 1767225600", "--start-at is the common start of --shard runs: give --shard I/N too.")]
    [InlineData("--shard 0/2 --start-at 1 --find-max --target echo://127.0.0.1:1", "--shard and --generators split one run of one target: not --targets, not --find-max (a search's steps cannot be merged).")]
    [InlineData("--generators 2 --target echo", "--generators starts relay-cluster or drives a target's address; 'echo' is started by each process on its own: give relay-cluster, or an address.")]
    [InlineData("--generators 2 --shard 0/2 --target relay-cluster", "--generators starts its own shards (each with --shard and --start-at): give one or the other.")]
    [InlineData("--generators 99 --target relay-cluster", "--generators must be 1 to 64.")]
    [InlineData("--generators 4 --connections 2 --target relay-cluster", "--connections 2 cannot be split over 4 generators: each needs one at least.")]
    [InlineData("--target-process --target echo://127.0.0.1:1", "--target-process starts the target itself: use it with a bare target name (relay-tcp, relay-ws, echo, nats, jetstream), not an address.")]
    [InlineData("--target-cpus 0 --target echo", "--target-cpus, --idle-connections, --reconnect-storm and --held-messages act on the target's own process: add --target-process (with a bare target name).")]
    [InlineData("--find-max --step-duration 0s", "--step-duration takes a positive time such as 5s.")]
    [InlineData("--padding block:x", "--padding: 'block:x' is not a padding scheme: use none, block:N (N from 1 to 65536), pow2 or padme.")]
    [InlineData("--sealed-sender --target echo", "--sealed-sender and --padding apply to the relay targets (relay-tcp, relay-ws, relay-cluster); 'echo' is not one.")]
    [InlineData("--store nats://127.0.0.1:4222 --target relay-tcp", "--store takes nats or nats://HOST:PORT[,...] and needs a relay target in its own process (--target relay-tcp|relay-ws --target-process).")]
    [InlineData("--store-publish-window 500 --target relay-tcp --target-process", "--store-publish-window takes 0 to 10000 microseconds and needs --store (a relay process's store), --target relay-cluster (every node's) or --target jetstream (the floor's publishes).")]
    [InlineData("--store nats --store-publish-window 20000 --target relay-tcp --target-process", "--store-publish-window takes 0 to 10000 microseconds and needs --store (a relay process's store), --target relay-cluster (every node's) or --target jetstream (the floor's publishes).")]
    public void A_bad_value_is_refused_by_its_group_with_one_line(string arguments, string expected)
    {
        CliRun.Invoke(["load", .. arguments.Split(' ')]).AssertBadInput($"perf load: {expected}");
    }
}
