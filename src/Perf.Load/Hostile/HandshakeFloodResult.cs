using System.Text.Json.Serialization;

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
/// <param name="CpuSeconds">CPU time the flood's process spent while it ran, when it ran in a process of its own.</param>
public sealed record HandshakeFloodResult(double RatePerSecond, HandshakeFloodKinds Kinds, string Source, double Seconds, HandshakeFloodCounts Garbage, HandshakeFloodCounts Abandoned, double? CpuSeconds = null)
{
    /// <summary>A flood that started at least this share of the connections its rate asked for reached its rate.</summary>
    public const double ReachedShare = 0.95;

    /// <summary>Connections a second it started, of the kind that started fewest (of those that ran).</summary>
    [JsonIgnore]
    public double AchievedPerSecond => Seconds <= 0 ? 0
        : Kinds switch
        {
            HandshakeFloodKinds.Garbage => Garbage.Attempted / Seconds,
            HandshakeFloodKinds.Abandoned => Abandoned.Attempted / Seconds,
            _ => Math.Min(Garbage.Attempted, Abandoned.Attempted) / Seconds,
        };

    /// <summary>Whether it started at least <see cref="ReachedShare"/> of the connections its rate asked for.</summary>
    [JsonIgnore]
    public bool ReachedRate => AchievedPerSecond >= RatePerSecond * ReachedShare;

    /// <summary>One line for a console: the rate asked and reached, and each kind's counts.</summary>
    public string Summary()
    {
        var reached = ReachedRate ? $"reached {AchievedPerSecond:0}/s" : $"reached only {AchievedPerSecond:0}/s of the {RatePerSecond:0.#}/s asked (it had no more CPU time)";
        return $"handshake flood from {Source}: {RatePerSecond:0.#}/s of {Kinds.ToString().ToLowerInvariant()} for {Seconds:F1} s, {reached}; garbage {Text(Garbage)}; abandoned {Text(Abandoned)}";

        static string Text(HandshakeFloodCounts c) =>
            $"{c.Attempted} attempted, {c.Refused} refused, {c.Answered} answered, {c.Unanswered} unanswered, {c.Failed} failed, {c.Skipped} skipped";
    }
}
