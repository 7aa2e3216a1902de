using HdrHistogram;

namespace Perf.Results.Metadata;

/// <summary>Turns one mode's audit log, ground truth and timings into its <see cref="MetadataRow"/>: every leak figure comes from the audit log.</summary>
public static class MetadataAnalysis
{
    /// <summary>Computes the row.</summary>
    /// <param name="mode">The mode's name.</param>
    /// <param name="audit">The relay's audit log of this run.</param>
    /// <param name="truth">Every accepted message with its true sender (user index).</param>
    /// <param name="identities">Each user's identity public key, by index.</param>
    /// <param name="timings">Seal, open and end-to-end histograms (µs).</param>
    /// <param name="relayCpu">The relay process's CPU time over the measured span (µs) and the messages delivered in it.</param>
    /// <param name="delivered">Messages opened by their recipients over the whole run.</param>
    public static MetadataRow Compute(string mode, IReadOnlyList<AuditEntry> audit, IReadOnlyList<SentMessage> truth, IReadOnlyList<byte[]> identities, (HistogramBase Seal, HistogramBase Open, HistogramBase EndToEnd) timings, (double Microseconds, long Delivered) relayCpu, long delivered) =>
        Compute(mode, new AuditTrail([.. audit], []), truth, identities, timings, relayCpu, delivered);

    /// <summary>Computes the row from a whole audit log: its connection lines feed the connection-time attack and the connection counts.</summary>
    /// <param name="mode">The mode's name.</param>
    /// <param name="trail">The relay's audit log of this run, messages and connection and mailbox lines.</param>
    /// <param name="truth">Every accepted message with its true sender (user index).</param>
    /// <param name="identities">Each user's identity public key, by index.</param>
    /// <param name="timings">Seal, open and end-to-end histograms (µs).</param>
    /// <param name="relayCpu">The relay process's CPU time over the measured span (µs) and the messages delivered in it.</param>
    /// <param name="delivered">Messages opened by their recipients over the whole run.</param>
    public static MetadataRow Compute(string mode, AuditTrail trail, IReadOnlyList<SentMessage> truth, IReadOnlyList<byte[]> identities, (HistogramBase Seal, HistogramBase Open, HistogramBase EndToEnd) timings, (double Microseconds, long Delivered) relayCpu, long delivered)
    {
        ArgumentNullException.ThrowIfNull(trail);
        var audit = trail.Messages;
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(identities);
        var names = new string[identities.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = Convert.ToBase64String(identities[i]);
        }

        var identitySet = new HashSet<string>(names);
        var byId = new Dictionary<ulong, AuditEntry>(audit.Count);
        var sizes = new Dictionary<int, int>();
        var known = 0;
        var recipientKnown = 0;
        var sealedSends = 0;
        foreach (var entry in audit)
        {
            byId[entry.RelayMessageId] = entry;
            sizes[entry.Bytes] = sizes.GetValueOrDefault(entry.Bytes) + 1;
            known += entry.Sender is null ? 0 : 1;
            recipientKnown += identitySet.Contains(entry.Recipient) ? 1 : 0;
            sealedSends += entry.Sealed && !entry.Conversation ? 1 : 0;
        }

        var (connections, online) = Connections(trail);

        var guesses = LinkabilityAttack.Guess(audit, trail.Events);
        long unlogged = 0, joined = 0, overhead = 0, logged = 0, lastRecipient = 0, disclosure = 0, connectionTime = 0;
        foreach (var message in truth)
        {
            if (!byId.TryGetValue(message.RelayMessageId, out var entry))
            {
                unlogged++;
                continue;
            }

            joined++;
            overhead += entry.Bytes - message.PlaintextBytes;
            var sender = names[message.Sender];
            logged += guesses.Logged[entry.RelayMessageId] == sender ? 1 : 0;
            lastRecipient += guesses.LastRecipient[entry.RelayMessageId] == sender ? 1 : 0;
            disclosure += guesses.DisclosurePerConnection[entry.RelayMessageId] == sender ? 1 : 0;
            connectionTime += guesses.ConnectionTime[entry.RelayMessageId] == sender ? 1 : 0;
        }

        double Fraction(long count) => joined == 0 ? 0 : Math.Round(count / (double)joined, 4);
        return new MetadataRow
        {
            Mode = mode,
            Messages = audit.Count,
            Unlogged = unlogged,
            SenderKnownFraction = audit.Count == 0 ? 0 : Math.Round(known / (double)audit.Count, 4),
            SizeClasses = sizes.Count,
            SizeEntropyBits = Math.Round(EntropyBits(sizes, audit.Count), 3),
            BytesOverheadPerMessage = joined == 0 ? 0 : Math.Round(overhead / (double)joined, 1),
            SealUsP50 = Percentile(timings.Seal, 50),
            OpenUsP50 = Percentile(timings.Open, 50),
            E2eP99Us = Percentile(timings.EndToEnd, 99),
            RelayCpuUsPerMessage = relayCpu.Delivered == 0 ? 0 : Math.Round(relayCpu.Microseconds / relayCpu.Delivered, 1),
            Linkability = Math.Max(Math.Max(Fraction(logged), Fraction(connectionTime)), Math.Max(Fraction(lastRecipient), Fraction(disclosure))),
            LinkabilityLastRecipient = Fraction(lastRecipient),
            LinkabilityDisclosure = Fraction(disclosure),
            Delivered = delivered,
            RecipientKnownFraction = PerMessage(recipientKnown),
            OnlineIdentitiesVisible = online,
            LinkabilityConnectionTime = Fraction(connectionTime),
            ConnectionsPerMessage = PerMessage(connections),
            HandshakesPerMessage = PerMessage(connections + sealedSends),
            E2eP50Us = Percentile(timings.EndToEnd, 50),
        };

        double PerMessage(long count) => audit.Count == 0 ? 0 : Math.Round(count / (double)audit.Count, 4);
    }

    // Connections the relay saw open, and how many identities it can say were online.
    private static (int Connections, int IdentitiesOnline) Connections(AuditTrail trail)
    {
        var connections = 0;
        var online = new HashSet<string>();
        foreach (var e in trail.Events)
        {
            if (e.Kind == AuditEvent.Connect)
            {
                connections++;
                if (e.Identity is { } identity)
                {
                    online.Add(identity);
                }
            }
        }

        return (connections, online.Count);
    }

    // Shannon entropy of the message sizes the relay saw, in bits.
    private static double EntropyBits(Dictionary<int, int> sizes, int total)
    {
        var entropy = 0.0;
        foreach (var count in sizes.Values)
        {
            var p = count / (double)total;
            entropy -= p * Math.Log2(p);
        }

        return entropy;
    }

    /// <summary>The rows with their end-to-end p50 and p99 above the <c>plain</c> row's (unchanged when there is no plain row).</summary>
    public static List<MetadataRow> WithAddedLatency(IReadOnlyList<MetadataRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        MetadataRow? plain = null;
        foreach (var row in rows)
        {
            plain ??= row.Mode == "plain" ? row : null;
        }

        var result = new List<MetadataRow>(rows.Count);
        foreach (var row in rows)
        {
            result.Add(plain is null ? row : row with { AddedP50Us = row.E2eP50Us - plain.E2eP50Us, AddedP99Us = row.E2eP99Us - plain.E2eP99Us });
        }

        return result;
    }

    private static double Percentile(HistogramBase histogram, double percentile) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile);
}
