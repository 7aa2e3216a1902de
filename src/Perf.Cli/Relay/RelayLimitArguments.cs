using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load;
using Relay.Protocol.Routing;

namespace Perf.Cli.Relay;

/// <summary><c>perf relay</c>'s mailbox size, timeouts and limits, with their safe defaults, parsed into the relay's options.</summary>
internal sealed class RelayLimitArguments : OptionGroup
{
    public Option<int> MailboxMessages { get; } = new("--mailbox-messages") { Description = "Messages held per identity before SENDs are rejected.", DefaultValueFactory = _ => 10_000 };

    public Option<string> HandshakeTimeout { get; } = new("--handshake-timeout") { Description = "Close a connection that has not finished the Noise handshake or WebSocket upgrade by then.", DefaultValueFactory = _ => "10s" };

    public Option<string> IdleTimeout { get; } = new("--idle-timeout") { Description = "Close an authenticated connection that sent nothing (not even PING) for this long; clients ping below it.", DefaultValueFactory = _ => "5m" };

    public Option<int> MaxConnections { get; } = new("--max-connections") { Description = "Open connections (TCP and WebSocket) beyond which new ones are refused before any handshake work.", DefaultValueFactory = _ => 200_000 };

    public Option<int> MaxInFlight { get; } = new("--max-in-flight") { Description = "Unacknowledged DELIVERs per connection before the relay waits for ACKs.", DefaultValueFactory = _ => 1000 };

    public Option<string> MaxAge { get; } = new("--max-age") { Description = "How long a message is held without an ACK before it expires.", DefaultValueFactory = _ => "168h" };

    public Option<string> MaxMailboxLifetime { get; } = new("--max-mailbox-lifetime") { Description = "The furthest ahead a conversation mailbox may expire when it is opened (OPEN_MAILBOX further ahead is refused).", DefaultValueFactory = _ => "168h" };

    public Option<string> DeliveryVerifierLifetime { get; } = new("--delivery-verifier-lifetime") { Description = "How long a delivery-token verifier lives after it was last registered (it outlives an empty mailbox; clients register it on every connection).", DefaultValueFactory = _ => "168h" };

    /// <inheritdoc />
    public override IEnumerable<Option> All => [MailboxMessages, HandshakeTimeout, IdleTimeout, MaxConnections, MaxInFlight, MaxAge, MaxMailboxLifetime, DeliveryVerifierLifetime];

    /// <summary>Reads the values; on a bad one returns false with a one-line problem.</summary>
    public bool TryRead(ParseResult parseResult, out RelayLimits limits, out string problem)
    {
        limits = default;
        problem = string.Empty;
        var mailbox = parseResult.GetValue(MailboxMessages);
        if (mailbox < 1)
        {
            problem = "--mailbox-messages must be at least 1.";
            return false;
        }

        if (!TryDuration(parseResult, HandshakeTimeout, out var handshake, ref problem)
            || !TryDuration(parseResult, IdleTimeout, out var idle, ref problem)
            || !TryDuration(parseResult, MaxAge, out var age, ref problem)
            || !TryDuration(parseResult, MaxMailboxLifetime, out var mailboxLifetime, ref problem)
            || !TryDuration(parseResult, DeliveryVerifierLifetime, out var verifierLifetime, ref problem))
        {
            return false;
        }

        var connections = parseResult.GetValue(MaxConnections);
        var inFlight = parseResult.GetValue(MaxInFlight);
        if (connections < 1 || inFlight < 1)
        {
            problem = connections < 1 ? "--max-connections must be at least 1." : "--max-in-flight must be at least 1.";
            return false;
        }

        limits = new RelayLimits(handshake, idle, connections, inFlight, new MailboxLimits { MaxMessages = mailbox, MaxAge = age }, mailboxLifetime, verifierLifetime);
        return true;
    }

    private static bool TryDuration(ParseResult parseResult, Option<string> option, out TimeSpan value, ref string problem)
    {
        if (DurationText.TryParse(parseResult.GetValue(option), out value) && value > TimeSpan.Zero)
        {
            return true;
        }

        problem = $"{option.Name} must be a positive duration such as 500ms, 10s, 5m or 2h, not '{parseResult.GetValue(option)}'.";
        return false;
    }
}

/// <summary>The parsed limits.</summary>
internal readonly record struct RelayLimits(TimeSpan HandshakeTimeout, TimeSpan IdleTimeout, int MaxConnections, int MaxInFlight, MailboxLimits Mailbox, TimeSpan MaxMailboxLifetime, TimeSpan DeliveryVerifierLifetime);
