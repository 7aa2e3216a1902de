using System.CommandLine;
using Perf.Cli.Options;
using Perf.Load;
using Relay.Server;

namespace Perf.Cli.Relay;

/// <summary>
/// <c>perf relay</c>'s abuse limits (docs/relay.md, "Abuse limits"): a connection's send rate, a
/// source address's handshake budget and busy mode, anonymous connections per source, and the
/// close log's own rate; defaults are <see cref="RelayOptions"/>'.
/// </summary>
internal sealed class RelayAbuseArguments : OptionGroup
{
    private static readonly RelayOptions Defaults = new();

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

    /// <inheritdoc />
    public override IEnumerable<Option> All =>
        [SendRate, SendBurst, HandshakeRate, HandshakeBurst, BusyHandshakes, BusyHandshakeTimeout, AnonymousPerSource, SourcePrefixIPv4, SourcePrefixIPv6, CloseLogLines];

    /// <summary>Reads the values; on a bad one returns false with a one-line problem.</summary>
    public bool TryRead(ParseResult parseResult, out AbuseLimits limits, out string problem)
    {
        limits = default;
        var sendRate = parseResult.GetValue(SendRate);
        var handshakeRate = parseResult.GetValue(HandshakeRate);
        var busyText = parseResult.GetValue(BusyHandshakeTimeout);
        var busyTimeout = TimeSpan.Zero;
        problem = (!double.IsFinite(sendRate) || sendRate < 0 ? "--send-rate must be 0 (no limit) or a positive number of SENDs per second." : null)
            ?? AtLeast(parseResult, SendBurst, 1)
            ?? (!double.IsFinite(handshakeRate) || handshakeRate < 0 ? "--handshake-rate must be 0 (no limit) or a positive number of handshakes per second." : null)
            ?? AtLeast(parseResult, HandshakeBurst, 1)
            ?? AtLeast(parseResult, BusyHandshakes, 1)
            ?? (DurationText.TryParse(busyText, out busyTimeout) && busyTimeout > TimeSpan.Zero ? null : $"{BusyHandshakeTimeout.Name} must be a positive duration such as 500ms, 10s, 5m or 2h, not '{busyText}'.")
            ?? AtLeast(parseResult, AnonymousPerSource, 0)
            ?? Between(parseResult, SourcePrefixIPv4, 0, 32)
            ?? Between(parseResult, SourcePrefixIPv6, 0, 128)
            ?? AtLeast(parseResult, CloseLogLines, 0)
            ?? string.Empty;
        if (problem.Length > 0)
        {
            return false;
        }

        limits = new AbuseLimits(
            sendRate,
            parseResult.GetValue(SendBurst),
            handshakeRate,
            parseResult.GetValue(HandshakeBurst),
            parseResult.GetValue(BusyHandshakes),
            busyTimeout,
            parseResult.GetValue(AnonymousPerSource),
            parseResult.GetValue(SourcePrefixIPv4),
            parseResult.GetValue(SourcePrefixIPv6),
            parseResult.GetValue(CloseLogLines));
        return true;
    }

    private static string? AtLeast(ParseResult parseResult, Option<int> option, int minimum) =>
        parseResult.GetValue(option) >= minimum ? null : $"{option.Name} must be at least {minimum}, not {parseResult.GetValue(option)}.";

    private static string? Between(ParseResult parseResult, Option<int> option, int minimum, int maximum) =>
        parseResult.GetValue(option) is var value && value >= minimum && value <= maximum ? null : $"{option.Name} must be between {minimum} and {maximum}, not {parseResult.GetValue(option)}.";
}

/// <summary>The parsed abuse limits (docs/relay.md, "Abuse limits").</summary>
internal readonly record struct AbuseLimits(double SendRate, int SendBurst, double HandshakeRate, int HandshakeBurst, int BusyHandshakes, TimeSpan BusyHandshakeTimeout, int AnonymousPerSource, int SourcePrefixIPv4, int SourcePrefixIPv6, int CloseLogLines)
{
    /// <summary><paramref name="options"/> with these limits.</summary>
    public RelayOptions ApplyTo(RelayOptions options) => options with
    {
        SendRatePerConnection = SendRate,
        SendBurstPerConnection = SendBurst,
        HandshakeRatePerSource = HandshakeRate,
        HandshakeBurstPerSource = HandshakeBurst,
        HandshakeBusyThreshold = BusyHandshakes,
        BusyHandshakeTimeout = BusyHandshakeTimeout,
        MaxAnonymousConnectionsPerSource = AnonymousPerSource,
        SourcePrefixLengthIPv4 = SourcePrefixIPv4,
        SourcePrefixLengthIPv6 = SourcePrefixIPv6,
        CloseLogLinesPerSecond = CloseLogLines,
    };
}
