namespace Perf.Load.Hostile;

/// <summary>What one kind of flood connection met.</summary>
/// <param name="Attempted">Connections started.</param>
/// <param name="Refused">Closed or reset by the relay without a byte of answer: refused before any handshake work (or, for garbage, after reading it).</param>
/// <param name="Answered">The relay answered (for a valid first message: handshake message 2, Diffie-Hellman work done).</param>
/// <param name="Unanswered">Neither answered nor closed by the relay before the flood gave up on it (its hold ended, or the flood stopped with it under way).</param>
/// <param name="Failed">The connect did not succeed within its timeout (the relay's accept queue full: the kernel dropped the SYN) or another socket error.</param>
/// <param name="Skipped">Not attempted: the flood was at its bound of open sockets.</param>
public readonly record struct HandshakeFloodCounts(long Attempted, long Refused, long Answered, long Unanswered, long Failed, long Skipped);

/// <summary>A handshake flood's own counts, per kind.</summary>
/// <param name="RatePerSecond">Connections a second of each kind that ran.</param>
/// <param name="Kinds">Which kinds ran.</param>
/// <param name="Source">The source address the flood came from (<c>system</c> when it did not bind one).</param>
/// <param name="Seconds">How long it ran.</param>
/// <param name="Garbage">Connections that sent garbage.</param>
/// <param name="Abandoned">Connections that sent a valid first handshake message and went silent.</param>
public sealed record HandshakeFloodResult(double RatePerSecond, HandshakeFloodKinds Kinds, string Source, double Seconds, HandshakeFloodCounts Garbage, HandshakeFloodCounts Abandoned)
{
    /// <summary>One line for a console: the rate and each kind's counts.</summary>
    public string Summary()
    {
        return $"handshake flood from {Source}: {RatePerSecond:0.#}/s of {Kinds.ToString().ToLowerInvariant()} for {Seconds:F1} s; garbage {Text(Garbage)}; abandoned {Text(Abandoned)}";

        static string Text(HandshakeFloodCounts c) =>
            $"{c.Attempted} attempted, {c.Refused} refused, {c.Answered} answered, {c.Unanswered} unanswered, {c.Failed} failed, {c.Skipped} skipped";
    }
}
