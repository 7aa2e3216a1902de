using Perf.Cli.Tests.Results;

namespace Perf.Cli.Tests.Relay;

/// <summary>
/// Each of <c>perf relay</c>'s option groups refuses a bad value with its own one-line message and
/// exit 2, before anything listens: the messages users and scripts see, held fixed.
/// </summary>
public sealed class RelayArgumentsTests
{
    [Theory]
    [InlineData("--tcp nope", "'nope' is not HOST:PORT with an IP address, e.g. 127.0.0.1:7500 (port 0 picks a free port).")]
    [InlineData("--ws-secret short", "--ws-secret must be at least 16 characters.")]
    [InlineData("--mailbox-messages 0", "--mailbox-messages must be at least 1.")]
    [InlineData("--max-age x", "--max-age must be a positive duration such as 500ms, 10s, 5m or 2h, not 'x'.")]
    [InlineData("--max-mailbox-lifetime 0s", "--max-mailbox-lifetime must be a positive duration such as 500ms, 10s, 5m or 2h, not '0s'.")]
    [InlineData("--delivery-verifier-lifetime soon", "--delivery-verifier-lifetime must be a positive duration such as 500ms, 10s, 5m or 2h, not 'soon'.")]
    [InlineData("--audit-log /nonexistent/folder/audit.log", "--audit-log: cannot append to /nonexistent/folder/audit.log:")]
    [InlineData("--store redis://x", "--store must be memory or nats://HOST:PORT[,HOST:PORT...], not 'redis://x'.")]
    [InlineData("--store nats://127.0.0.1:4222 --store-publish-window 10001", "--store-publish-window must be between 0 and 10000 microseconds.")]
    [InlineData("--store nats://127.0.0.1:4222 --store-publish-window -1", "--store-publish-window must be between 0 and 10000 microseconds.")]
    [InlineData("--key /nonexistent/folder/relay.key", "--key: ")]
    public void A_bad_value_is_refused_by_its_group_with_one_line(string arguments, string expected)
    {
        // Free ports, should a check let the relay start.
        string[] listeners = arguments.StartsWith("--tcp", StringComparison.Ordinal) ? ["--ws", "127.0.0.1:0"] : ["--tcp", "127.0.0.1:0", "--ws", "127.0.0.1:0"];
        CliRun.Invoke(["relay", .. listeners, .. arguments.Split(' ')]).AssertBadInput($"perf relay: {expected}");
    }
}
