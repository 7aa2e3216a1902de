using System.Net;

namespace Perf.Load.Hostile;

/// <summary>Which halves of a handshake flood run.</summary>
public enum HandshakeFloodKinds
{
    /// <summary>Both halves, each at the flood's rate.</summary>
    Both,

    /// <summary>Only connections that send garbage.</summary>
    Garbage,

    /// <summary>Only connections that send a valid first handshake message and go silent.</summary>
    Abandoned,
}

/// <summary>What a <see cref="HandshakeFlood"/> sends, how fast, from where, within what bounds.</summary>
public sealed record HandshakeFloodOptions
{
    /// <summary>The source address a loopback flood binds (the generator's clients use 127.0.0.1, its idle pool 127.0.0.2 and up).</summary>
    public static readonly IPAddress DefaultSource = new([127, 0, 0, 254]);

    /// <summary>The relay's Noise/TCP endpoint.</summary>
    public required IPEndPoint Target { get; init; }

    /// <summary>New connections a second of each kind that runs.</summary>
    public required double RatePerSecond { get; init; }

    /// <summary>Which kinds run.</summary>
    public HandshakeFloodKinds Kinds { get; init; } = HandshakeFloodKinds.Both;

    /// <summary>The source address to bind, for a loopback IPv4 target (elsewhere the system chooses).</summary>
    public IPAddress Source { get; init; } = DefaultSource;

    /// <summary>
    /// The most flood sockets open at once: past it an attempt is skipped (and counted), so the
    /// flood keeps well inside a process's 20,000 descriptors (also when it shares one with a generator, as in tests).
    /// </summary>
    public int MaxOpenSockets { get; init; } = 8_000;

    /// <summary>How long a connect may take (a full accept queue drops SYNs, which the kernel sends again after 1 s); past it the attempt failed.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a garbage connection waits for the relay to close it before it resets the connection itself.</summary>
    public TimeSpan GarbageHold { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a silent connection stays (if the relay does not close it first): longer than the relay's handshake timeout.</summary>
    public TimeSpan SilentHold { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The problem with these options, or <c>null</c>.</summary>
    public string? Validate() =>
        !double.IsFinite(RatePerSecond) || RatePerSecond <= 0 ? "the flood's rate must be a positive number of connections per second"
        : MaxOpenSockets < 1 ? "the flood needs room for at least one socket"
        : null;
}
