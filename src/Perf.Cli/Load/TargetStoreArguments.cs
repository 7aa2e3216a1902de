using System.CommandLine;
using Perf.Cli.Options;

namespace Perf.Cli.Load;

/// <summary><c>--store</c>: the mailbox store of a relay this command starts in its own process (<c>perf relay --store</c>).</summary>
internal sealed class TargetStoreArguments : OptionGroup
{
    private readonly Option<string?> _store = new("--store") { Description = "relay-tcp/relay-ws with --target-process: the relay process's mailbox store, nats (a nats-server -js started beside it, pinned with it) or nats://HOST:PORT[,...] (JetStream); its nats-server's CPU is recorded when it runs here. Default memory." };

    private readonly Option<int> _publishWindow = new("--store-publish-window") { Description = "With --store: the relay process's --store-publish-window, microseconds a publish to JetStream waits for others to leave with it (0: at once); with --target relay-cluster, every node's; with --target jetstream, the floor's publishes wait the same.", DefaultValueFactory = _ => 0 };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [_store, _publishWindow];

    /// <summary>The store (<c>nats</c>: start one; or its URLs), or <c>null</c> for the relay's memory store; false with a one-line <paramref name="problem"/> when it does not fit the targets.</summary>
    public bool TryRead(ParseResult parseResult, IReadOnlyList<string> targets, TargetPlacement placement, out string? store, out int publishWindowMicroseconds, out string? problem)
    {
        store = parseResult.GetValue(_store);
        publishWindowMicroseconds = parseResult.GetValue(_publishWindow);
        problem = null;
        var onJetStream = targets.Any(name => name.Trim().ToLowerInvariant() is "jetstream" or "relay-cluster");
        if (publishWindowMicroseconds != 0 && ((store is null && !onJetStream) || publishWindowMicroseconds is < 0 or > Relay.StoreArguments.MaxPublishWindowMicroseconds))
        {
            problem = $"--store-publish-window takes 0 to {Relay.StoreArguments.MaxPublishWindowMicroseconds} microseconds and needs --store (a relay process's store), --target relay-cluster (every node's) or --target jetstream (the floor's publishes).";
            return false;
        }

        if (store is not null && (!placement.TargetProcess || !(store == LoadTargetFactory.StartedStore || store.StartsWith("nats://", StringComparison.Ordinal))
            || targets.Any(name => name.Trim().ToLowerInvariant() is not ("relay-tcp" or "relay-ws"))))
        {
            problem = "--store takes nats or nats://HOST:PORT[,...] and needs a relay target in its own process (--target relay-tcp|relay-ws --target-process).";
            return false;
        }

        return true;
    }
}
