using System.CommandLine;
using Perf.Load;
using Relay.Server;

namespace Perf.Cli.Relay;

/// <summary><c>perf relay</c>'s timeouts, limits and abuse limits, with their safe defaults (those of <see cref="RelayOptions"/>), parsed into the relay's options.</summary>
internal sealed class RelayLimitArguments
{
    private static readonly RelayOptions Defaults = new();

    public Option<string> HandshakeTimeout { get; } = new("--handshake-timeout") { Description = "Close a connection that has not finished the Noise handshake or WebSocket upgrade by then.", DefaultValueFactory = _ => "10s" };

    public Option<string> IdleTimeout { get; } = new("--idle-timeout") { Description = "Close an authenticated connection that sent nothing (not even PING) for this long; clients ping below it.", DefaultValueFactory = _ => "5m" };

    public Option<int> MaxConnections { get; } = new("--max-connections") { Description = "Open connections (TCP and WebSocket) beyond which new ones are refused before any handshake work.", DefaultValueFactory = _ => 200_000 };

    public Option<int> MaxInFlight { get; } = new("--max-in-flight") { Description = "Unacknowledged DELIVERs per connection before the relay waits for ACKs.", DefaultValueFactory = _ => 1000 };

    public Option<string> MaxAge { get; } = new("--max-age") { Description = "How long a message is held without an ACK before it expires.", DefaultValueFactory = _ => "168h" };

    public Option<double> SendRate { get; } = new("--send-rate") { Description = "SEND/SEALED_SEND frames per second per connection, sustained; past it REJECTED 4 (rate limited). 0: no limit.", DefaultValueFactory = _ => Defaults.SendRatePerConnection };

    public Option<int> SendBurst { get; } = new("--send-burst") { Description = "SENDs a connection may send at once before --send-rate applies.", DefaultValueFactory = _ => Defaults.SendBurstPerConnection };

    public Option<double> HandshakeRate { get; } = new("--handshake-rate") { Description = "Handshakes per second a source address may leave unfinished (finished ones are given back unless the relay is busy); past it new connections are closed before any byte is read. 0: no limit.", DefaultValueFactory = _ => Defaults.HandshakeRatePerSource };

    public Option<int> HandshakeBurst { get; } = new("--handshake-burst") { Description = "Handshake tokens a source address holds: unfinished handshakes at once, and failures in a burst.", DefaultValueFactory = _ => Defaults.HandshakeBurstPerSource };

    public Option<int> BusyHandshakes { get; } = new("--busy-handshakes") { Description = "Unfinished handshakes (all sources) at which the relay is busy: every handshake then counts against its source, and new ones get --busy-handshake-timeout.", DefaultValueFactory = _ => Defaults.HandshakeBusyThreshold };

    public Option<string> BusyHandshakeTimeout { get; } = new("--busy-handshake-timeout") { Description = "Handshake timeout for connections that arrive while the relay is busy.", DefaultValueFactory = _ => "3s" };

    public Option<int> AnonymousPerSource { get; } = new("--anonymous-per-source") { Description = "Anonymous (sealed-sender) connections a source address may hold open; past it ERROR 11 (TCP) or HTTP 429 (WebSocket). 0: no cap.", DefaultValueFactory = _ => Defaults.MaxAnonymousConnectionsPerSource };

    public Option<int> SourcePrefixIPv4 { get; } = new("--source-prefix-v4") { Description = "Leading bits of an IPv4 address that make one source for the per-source limits.", DefaultValueFactory = _ => Defaults.SourcePrefixLengthIPv4 };

    public Option<int> SourcePrefixIPv6 { get; } = new("--source-prefix-v6") { Description = "Leading bits of an IPv6 address that make one source for the per-source limits.", DefaultValueFactory = _ => Defaults.SourcePrefixLengthIPv6 };

    public Option<int> CloseLogLines { get; } = new("--close-log-lines") { Description = "Log lines per second for connections refused or closed for bad input; past it one summary line a second. 0: summaries only.", DefaultValueFactory = _ => Defaults.CloseLogLinesPerSecond };

    public IEnumerable<Option> All =>
    [
        HandshakeTimeout, IdleTimeout, MaxConnections, MaxInFlight, MaxAge,
        SendRate, SendBurst, HandshakeRate, HandshakeBurst, BusyHandshakes, BusyHandshakeTimeout, AnonymousPerSource, SourcePrefixIPv4, SourcePrefixIPv6, CloseLogLines,
    ];

    /// <summary>Reads the values; on a bad one returns false with a one-line problem.</summary>
    public bool TryRead(ParseResult parseResult, out RelayLimits limits, out string problem)
    {
        limits = default;
        problem = string.Empty;
        if (!TryDuration(parseResult, HandshakeTimeout, out var handshake, ref problem)
            || !TryDuration(parseResult, IdleTimeout, out var idle, ref problem)
            || !TryDuration(parseResult, MaxAge, out var age, ref problem)
            || !TryDuration(parseResult, BusyHandshakeTimeout, out var busyTimeout, ref problem))
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

        var sendRate = parseResult.GetValue(SendRate);
        var handshakeRate = parseResult.GetValue(HandshakeRate);
        problem = (!double.IsFinite(sendRate) || sendRate < 0 ? "--send-rate must be 0 (no limit) or a positive number of SENDs per second." : null)
            ?? AtLeast(parseResult, SendBurst, 1)
            ?? (!double.IsFinite(handshakeRate) || handshakeRate < 0 ? "--handshake-rate must be 0 (no limit) or a positive number of handshakes per second." : null)
            ?? AtLeast(parseResult, HandshakeBurst, 1)
            ?? AtLeast(parseResult, BusyHandshakes, 1)
            ?? AtLeast(parseResult, AnonymousPerSource, 0)
            ?? Between(parseResult, SourcePrefixIPv4, 0, 32)
            ?? Between(parseResult, SourcePrefixIPv6, 0, 128)
            ?? AtLeast(parseResult, CloseLogLines, 0)
            ?? string.Empty;
        if (problem.Length > 0)
        {
            return false;
        }

        limits = new RelayLimits(handshake, idle, connections, inFlight, age, new AbuseLimits(
            sendRate,
            parseResult.GetValue(SendBurst),
            handshakeRate,
            parseResult.GetValue(HandshakeBurst),
            parseResult.GetValue(BusyHandshakes),
            busyTimeout,
            parseResult.GetValue(AnonymousPerSource),
            parseResult.GetValue(SourcePrefixIPv4),
            parseResult.GetValue(SourcePrefixIPv6),
            parseResult.GetValue(CloseLogLines)));
        return true;
    }

    private static string? AtLeast(ParseResult parseResult, Option<int> option, int minimum) =>
        parseResult.GetValue(option) >= minimum ? null : $"{option.Name} must be at least {minimum}, not {parseResult.GetValue(option)}.";

    private static string? Between(ParseResult parseResult, Option<int> option, int minimum, int maximum) =>
        parseResult.GetValue(option) is var value && value >= minimum && value <= maximum ? null : $"{option.Name} must be between {minimum} and {maximum}, not {parseResult.GetValue(option)}.";

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
internal readonly record struct RelayLimits(TimeSpan HandshakeTimeout, TimeSpan IdleTimeout, int MaxConnections, int MaxInFlight, TimeSpan MaxAge, AbuseLimits Abuse)
{
    /// <summary><paramref name="options"/> with these timeouts and limits (the message age goes into the mailbox limits, which the caller builds).</summary>
    public RelayOptions ApplyTo(RelayOptions options) => options with
    {
        HandshakeTimeout = HandshakeTimeout,
        IdleTimeout = IdleTimeout,
        MaxConnections = MaxConnections,
        MaxDeliversInFlight = MaxInFlight,
        SendRatePerConnection = Abuse.SendRate,
        SendBurstPerConnection = Abuse.SendBurst,
        HandshakeRatePerSource = Abuse.HandshakeRate,
        HandshakeBurstPerSource = Abuse.HandshakeBurst,
        HandshakeBusyThreshold = Abuse.BusyHandshakes,
        BusyHandshakeTimeout = Abuse.BusyHandshakeTimeout,
        MaxAnonymousConnectionsPerSource = Abuse.AnonymousPerSource,
        SourcePrefixLengthIPv4 = Abuse.SourcePrefixIPv4,
        SourcePrefixLengthIPv6 = Abuse.SourcePrefixIPv6,
        CloseLogLinesPerSecond = Abuse.CloseLogLines,
    };
}

/// <summary>The parsed abuse limits (docs/relay.md, "Abuse limits").</summary>
internal readonly record struct AbuseLimits(double SendRate, int SendBurst, double HandshakeRate, int HandshakeBurst, int BusyHandshakes, TimeSpan BusyHandshakeTimeout, int AnonymousPerSource, int SourcePrefixIPv4, int SourcePrefixIPv6, int CloseLogLines);
