using System.CommandLine;
using Perf.Cli.Options;
using Relay.Protocol.Routing;
using Relay.Store.Nats;

namespace Perf.Cli.Relay;

/// <summary><c>perf relay --store memory|nats://HOST:PORT[,HOST:PORT...]</c> and the JetStream store's settings.</summary>
internal sealed class StoreArguments : OptionGroup
{
    /// <summary>The longest <c>--store-publish-window</c>: past it a SEND's wait is a latency bug, not a batch.</summary>
    public const int MaxPublishWindowMicroseconds = 10_000;

    public Option<string> Store { get; } = new("--store") { Description = "Where mailboxes live: memory (default, not durable) or nats://HOST:PORT[,HOST:PORT...] (JetStream; nodes on the same NATS form one relay).", DefaultValueFactory = _ => "memory" };

    public Option<int> Replicas { get; } = new("--store-replicas") { Description = "JetStream replicas of the mailbox stream (at most the NATS cluster's size).", DefaultValueFactory = _ => 1 };

    public Option<string> Stream { get; } = new("--store-stream") { Description = "JetStream stream name (nodes of one relay share it).", DefaultValueFactory = _ => "RELAY_MAILBOXES" };

    public Option<int> PublishWindow { get; } = new("--store-publish-window") { Description = "Microseconds a publish to JetStream may wait for others to leave with it in one write (0: at once; at most 10000). Fewer wake-ups of nats-server and the relay per message, for that much more latency per SEND.", DefaultValueFactory = _ => 0 };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [Store, Replicas, Stream, PublishWindow];

    /// <summary>The JetStream settings, or <c>null</c> for the in-memory store; false with a one-line problem for a bad value.</summary>
    public bool TryRead(ParseResult parseResult, MailboxLimits limits, out JetStreamStoreOptions? options, out string problem)
    {
        options = null;
        problem = string.Empty;
        var store = parseResult.GetValue(Store)!;
        if (store == "memory")
        {
            return true;
        }

        foreach (var url in store.Split(','))
        {
            if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != "nats" || uri.Port <= 0)
            {
                problem = $"--store must be memory or nats://HOST:PORT[,HOST:PORT...], not '{store}'.";
                return false;
            }
        }

        var replicas = parseResult.GetValue(Replicas);
        if (replicas is < 1 or > 5)
        {
            problem = "--store-replicas must be between 1 and 5 (JetStream's limit).";
            return false;
        }

        var window = parseResult.GetValue(PublishWindow);
        if (window is < 0 or > MaxPublishWindowMicroseconds)
        {
            problem = $"--store-publish-window must be between 0 and {MaxPublishWindowMicroseconds} microseconds.";
            return false;
        }

        options = new JetStreamStoreOptions { Url = store, Replicas = replicas, Stream = parseResult.GetValue(Stream)!, Limits = limits, PublishWindow = TimeSpan.FromMicroseconds(window) };
        return true;
    }
}
