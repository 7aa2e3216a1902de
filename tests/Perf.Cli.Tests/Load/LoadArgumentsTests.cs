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
    [InlineData("--fault kill:relay:1@1s", "--fault, --relay-nodes and --nats-nodes apply to --target relay-cluster only.")]
    [InlineData("--target relay-cluster --relay-nodes 99", "--relay-nodes must be 1 to 16 and --nats-nodes 1 to 7.")]
    [InlineData("--target relay-cluster --padding padme", "--padding does not apply to relay-cluster: it starts its own relay and NATS processes (unpinned, plain SEND) and measures one run.")]
    [InlineData("--target-process --target echo://127.0.0.1:1", "--target-process starts the target itself: use it with a bare target name (relay-tcp, relay-ws, echo, nats, jetstream), not an address.")]
    [InlineData("--target-cpus 0 --target echo", "--target-cpus, --idle-connections, --reconnect-storm and --held-messages act on the target's own process: add --target-process (with a bare target name).")]
    [InlineData("--find-max --step-duration 0s", "--step-duration takes a positive time such as 5s.")]
    [InlineData("--padding block:x", "--padding: 'block:x' is not a padding scheme: use none, block:N (N from 1 to 65536), pow2 or padme.")]
    [InlineData("--sealed-sender --target echo", "--sealed-sender and --padding apply to the relay targets (relay-tcp, relay-ws); 'echo' is not one.")]
    [InlineData("--store nats://127.0.0.1:4222 --target relay-tcp", "--store takes nats or nats://HOST:PORT[,...] and needs a relay target in its own process (--target relay-tcp|relay-ws --target-process).")]
    public void A_bad_value_is_refused_by_its_group_with_one_line(string arguments, string expected)
    {
        CliRun.Invoke(["load", .. arguments.Split(' ')]).AssertBadInput($"perf load: {expected}");
    }
}
