namespace Perf.Results.Metadata;

/// <summary>
/// What an honest-but-curious relay can infer about senders from its own audit log alone, as
/// three attacks that each name a sender for every logged message (scored against the ground
/// truth afterwards, never using it):
/// <list type="bullet">
/// <item><b>logged</b>: the <c>sender</c>, or else the authenticated <c>conn_identity</c> (sealed
/// sender over an authenticated connection hides nothing).</item>
/// <item><b>last recipient</b>: an anonymous message to X came from whoever last received a
/// message (other than X): people answer what they just got.</item>
/// <item><b>disclosure per connection</b>: a statistical disclosure attack (Danezis 2003; as
/// Martiny et al., NDSS 2021, did against Signal's sealed sender) with the anonymous connection
/// as the pseudonym: for each connection and each identity, the receptions of that identity
/// before each of the connection's sends, weighted by how likely an answer is that much later
/// (exp(-Δt/<see cref="AnswerDelay"/>)), minus what the identity's own reception rate predicts;
/// the identity standing out most (never one the connection writes to: nobody messages
/// themselves) is named for all of that connection's messages.</item>
/// <item><b>connection time</b> (aimed at conversation mailboxes, whose traffic names no identity
/// at all): an anonymous connection belongs to the identity whose authenticated connection was
/// made nearest in time to it (the log's <c>connect</c> lines), since a client opens its anonymous
/// connections when it comes online; every message on it is named for that identity.</item>
/// </list>
/// </summary>
public static class LinkabilityAttack
{
    /// <summary>
    /// How soon after a reception the attacker expects an answer: delivery receipts go out as soon
    /// as a message is opened, so tens of milliseconds (a real attacker estimates it from traffic).
    /// </summary>
    public static readonly TimeSpan AnswerDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>Names a sender per entry (by relay id) with each attack; identities are the log's base64 strings.</summary>
    public static AttackGuesses Guess(IReadOnlyList<AuditEntry> entries) => Guess(entries, []);

    /// <summary>Names a sender per entry with each attack, the connection-time one from <paramref name="events"/> (none: it names nobody).</summary>
    public static AttackGuesses Guess(IReadOnlyList<AuditEntry> entries, IReadOnlyList<AuditEvent> events)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(events);
        var ordered = new List<AuditEntry>(entries);
        ordered.Sort((a, b) => a.UnixMilliseconds != b.UnixMilliseconds ? a.UnixMilliseconds.CompareTo(b.UnixMilliseconds) : a.RelayMessageId.CompareTo(b.RelayMessageId));
        var logged = new Dictionary<ulong, string?>();
        var lastRecipient = new Dictionary<ulong, string?>();
        foreach (var entry in ordered)
        {
            logged[entry.RelayMessageId] = entry.Sender ?? entry.ConnectionIdentity;
        }

        for (var i = 0; i < ordered.Count; i++)
        {
            string? guess = null;
            for (var j = i - 1; j >= 0 && guess is null; j--)
            {
                if (ordered[j].Recipient != ordered[i].Recipient)
                {
                    guess = ordered[j].Recipient;
                }
            }

            lastRecipient[ordered[i].RelayMessageId] = logged[ordered[i].RelayMessageId] ?? guess;
        }

        return new AttackGuesses(logged, lastRecipient, DisclosurePerConnection(ordered, logged), ConnectionTime(ordered, logged, events));
    }

    private static Dictionary<ulong, string?> ConnectionTime(List<AuditEntry> ordered, Dictionary<ulong, string?> logged, IReadOnlyList<AuditEvent> events)
    {
        var identified = new List<AuditEvent>();
        foreach (var e in events)
        {
            if (e.Kind == AuditEvent.Connect && e.Identity is not null)
            {
                identified.Add(e);
            }
        }

        var owner = new Dictionary<long, string?>();
        foreach (var e in events)
        {
            if (e.Kind != AuditEvent.Connect || e.Identity is not null)
            {
                continue;
            }

            string? nearest = null;
            var best = long.MaxValue;
            foreach (var candidate in identified)
            {
                var distance = Math.Abs(candidate.UnixMilliseconds - e.UnixMilliseconds);
                if (distance < best)
                {
                    (nearest, best) = (candidate.Identity, distance);
                }
            }

            owner[e.Connection] = nearest;
        }

        var guesses = new Dictionary<ulong, string?>();
        foreach (var entry in ordered)
        {
            guesses[entry.RelayMessageId] = logged[entry.RelayMessageId] ?? owner.GetValueOrDefault(entry.Connection);
        }

        return guesses;
    }

    private static Dictionary<ulong, string?> DisclosurePerConnection(List<AuditEntry> ordered, Dictionary<ulong, string?> logged)
    {
        var tau = AnswerDelay.TotalMilliseconds;
        var window = (long)(5 * tau);
        var span = Math.Max(1, ordered.Count == 0 ? 1 : ordered[^1].UnixMilliseconds - ordered[0].UnixMilliseconds);

        // Background: how many messages each identity receives per window, on average over the run.
        var received = new Dictionary<string, double>();
        foreach (var entry in ordered)
        {
            received[entry.Recipient] = received.GetValueOrDefault(entry.Recipient) + 1;
        }

        // Per anonymous connection: receptions of each identity in the window before each of its sends.
        var observed = new Dictionary<long, Dictionary<string, double>>();
        var sends = new Dictionary<long, int>();
        var addressed = new Dictionary<long, HashSet<string>>();
        var start = 0;
        for (var i = 0; i < ordered.Count; i++)
        {
            var entry = ordered[i];
            if (logged[entry.RelayMessageId] is not null)
            {
                continue;
            }

            while (ordered[start].UnixMilliseconds < entry.UnixMilliseconds - window)
            {
                start++;
            }

            var counts = observed.TryGetValue(entry.Connection, out var existing) ? existing : observed[entry.Connection] = [];
            sends[entry.Connection] = sends.GetValueOrDefault(entry.Connection) + 1;
            (addressed.TryGetValue(entry.Connection, out var targets) ? targets : addressed[entry.Connection] = []).Add(entry.Recipient);
            for (var j = start; j < i; j++)
            {
                var weight = Math.Exp(-(entry.UnixMilliseconds - ordered[j].UnixMilliseconds) / tau);
                counts[ordered[j].Recipient] = counts.GetValueOrDefault(ordered[j].Recipient) + weight;
            }
        }

        var named = new Dictionary<long, string?>();
        foreach (var (connection, counts) in observed)
        {
            string? best = null;
            var bestScore = double.NegativeInfinity;
            foreach (var (identity, count) in counts)
            {
                // Nobody sends to themselves: the identities this connection addresses are not its owner.
                if (addressed[connection].Contains(identity))
                {
                    continue;
                }

                // Expected weight from background receptions: rate × ∫ exp(-t/τ) dt over the window ≈ rate × τ.
                var score = (count / sends[connection]) - (received[identity] * tau / span);
                if (score > bestScore)
                {
                    (best, bestScore) = (identity, score);
                }
            }

            named[connection] = best;
        }

        var guesses = new Dictionary<ulong, string?>();
        foreach (var entry in ordered)
        {
            guesses[entry.RelayMessageId] = logged[entry.RelayMessageId] ?? named.GetValueOrDefault(entry.Connection);
        }

        return guesses;
    }
}

/// <summary>Each attack's named sender per relay id (null where it names none).</summary>
/// <param name="Logged">What the log states.</param>
/// <param name="LastRecipient">The last-recipient timing attack.</param>
/// <param name="DisclosurePerConnection">The statistical disclosure attack over anonymous connections.</param>
/// <param name="ConnectionTime">The connection-time attack (anonymous connection to the identity connected nearest in time).</param>
public sealed record AttackGuesses(IReadOnlyDictionary<ulong, string?> Logged, IReadOnlyDictionary<ulong, string?> LastRecipient, IReadOnlyDictionary<ulong, string?> DisclosurePerConnection, IReadOnlyDictionary<ulong, string?> ConnectionTime);
