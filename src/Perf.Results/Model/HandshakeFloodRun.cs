namespace Perf.Results.Model;

/// <summary>
/// The hostile client of <c>perf load --handshake-flood N</c> (the result's <c>handshake_flood</c>
/// section): what its connections met, per kind. The rest of the result is the legitimate
/// clients', so the same run without the flood compares with it directly (<c>perf compare</c>).
/// </summary>
public sealed record HandshakeFloodRun
{
    /// <summary>New connections a second of each kind that ran.</summary>
    public required double RatePerSecond { get; init; }

    /// <summary>Which kinds ran: <c>both</c>, <c>garbage</c> or <c>abandoned</c>.</summary>
    public required string Kinds { get; init; }

    /// <summary>The source address it came from (<c>system</c> when it did not bind one).</summary>
    public required string Source { get; init; }

    /// <summary>How long it ran, seconds.</summary>
    public required double Seconds { get; init; }

    /// <summary>Connections that sent 64 bytes of garbage.</summary>
    public required HandshakeFloodCounts Garbage { get; init; }

    /// <summary>Connections that sent a valid first Noise message and went silent.</summary>
    public required HandshakeFloodCounts Abandoned { get; init; }
}

/// <summary>What one kind of flood connection met; <c>attempted = refused + answered + unanswered + failed</c>.</summary>
public sealed record HandshakeFloodCounts
{
    /// <summary>Connections started.</summary>
    public required long Attempted { get; init; }

    /// <summary>Closed or reset by the relay without a byte of answer.</summary>
    public required long Refused { get; init; }

    /// <summary>The relay answered (for a valid first message, handshake message 2: Diffie-Hellman work done).</summary>
    public required long Answered { get; init; }

    /// <summary>Connected, but neither answered nor closed before the flood gave up on it.</summary>
    public required long Unanswered { get; init; }

    /// <summary>Not connected within the connect timeout (the relay's accept queue full), or another socket error.</summary>
    public required long Failed { get; init; }

    /// <summary>Not attempted: the flood was at its bound of open sockets.</summary>
    public required long Skipped { get; init; }
}
