namespace Perf.Load.Impairment;

/// <summary>
/// What one direction of a link does to the bytes it carries (Toxiproxy's <c>latency</c> and
/// <c>bandwidth</c> toxics, and a TCP-shaped loss). Every chunk the proxy reads is held for
/// <see cref="Latency"/> ± <see cref="Jitter"/> (drawn uniformly; a chunk never overtakes the one
/// before it), after the link has serialized it at <see cref="BitsPerSecond"/>; a share
/// <see cref="Loss"/> of chunks is held longer by the profile's retransmission delay, as a lost
/// segment holds back a TCP stream until it is sent again: TCP loses no bytes, it delays them.
/// </summary>
/// <param name="Latency">One-way delay of every chunk.</param>
/// <param name="Jitter">Each chunk's delay is drawn from latency ± jitter (negative delays count as none).</param>
/// <param name="BitsPerSecond">The direction's capacity, or 0 for no limit.</param>
/// <param name="Loss">Share of chunks (0 to below 1) held back by a retransmission delay.</param>
public readonly record struct LinkImpairment(TimeSpan Latency, TimeSpan Jitter, long BitsPerSecond, double Loss);
