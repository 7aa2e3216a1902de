using HdrHistogram;
using Perf.Results.Metadata;

namespace Perf.Results.Tests.Metadata;

/// <summary>
/// The columns #23 added for conversation mailboxes, derived from a whole audit log (messages and
/// connection lines): recipients known, identities seen online, connections and key agreements per
/// message, the connection-time attack, and latency added over the plain row.
/// </summary>
public sealed class ConversationMetadataTests
{
    private static readonly byte[][] Keys = [Key(1), Key(2), Key(3)];
    private static readonly string[] Names = Array.ConvertAll(Keys, Convert.ToBase64String);

    [Fact]
    public void Mailbox_traffic_names_no_recipient_and_the_connection_time_attack_pairs_connections_made_together()
    {
        // Users 0, 1, 2 connect at 0, 1000, 2000 ms; each opens an anonymous connection (10 + user)
        // 5 ms after its own: the attack pairs each with its owner. Messages go to mailbox addresses.
        var events = new List<AuditEvent>();
        for (var user = 0; user < 3; user++)
        {
            events.Add(new AuditEvent(user * 1000, AuditEvent.Connect, 1 + user, Names[user], null));
            events.Add(new AuditEvent((user * 1000) + 5, AuditEvent.Connect, 10 + user, null, null));
        }

        var audit = new List<AuditEntry>();
        var truth = new List<SentMessage>();
        for (var i = 0; i < 6; i++)
        {
            var sender = i % 3;
            audit.Add(new AuditEntry(5000 + i, (ulong)i + 1, 10 + sender, null, null, $"mailbox{(sender + 1) % 3}", 120, true) { Conversation = true });
            truth.Add(new SentMessage((ulong)i + 1, sender, (sender + 1) % 3, 50, false));
        }

        var row = Compute(new AuditTrail(audit, events), truth);

        Assert.Equal(0.0, row.RecipientKnownFraction);
        Assert.Equal(0.0, row.SenderKnownFraction);
        Assert.Equal(3, row.OnlineIdentitiesVisible);
        Assert.Equal(1.0, row.ConnectionsPerMessage); // six connections, six messages
        Assert.Equal(1.0, row.HandshakesPerMessage); // MAILBOX_SEND adds no key agreement
        Assert.Equal(1.0, row.LinkabilityConnectionTime);
        Assert.Equal(0.0, row.LinkabilityDisclosure); // nobody receives under an identity
        Assert.Equal(1.0, row.Linkability);
    }

    [Fact]
    public void Anonymous_connections_made_apart_from_their_owners_defeat_the_connection_time_attack()
    {
        // Every identity connects first; the anonymous connections come later in another order:
        // the attack names the last identity to connect for all of them, so only its own messages.
        var events = new List<AuditEvent>
        {
            new(0, AuditEvent.Connect, 1, Names[0], null),
            new(1, AuditEvent.Connect, 2, Names[1], null),
            new(2, AuditEvent.Connect, 3, Names[2], null),
            new(500, AuditEvent.Connect, 12, null, null),
            new(510, AuditEvent.Connect, 10, null, null),
            new(520, AuditEvent.Connect, 11, null, null),
        };
        var audit = new List<AuditEntry>();
        var truth = new List<SentMessage>();
        for (var sender = 0; sender < 3; sender++)
        {
            audit.Add(new AuditEntry(1000 + sender, (ulong)sender + 1, 10 + sender, null, null, "mailbox", 120, true) { Conversation = true });
            truth.Add(new SentMessage((ulong)sender + 1, sender, 0, 50, false));
        }

        var row = Compute(new AuditTrail(audit, events), truth);

        Assert.Equal(Math.Round(1 / 3.0, 4), row.LinkabilityConnectionTime);
    }

    [Fact]
    public void Sealed_sends_count_their_key_agreement_and_name_their_recipient()
    {
        var events = new List<AuditEvent> { new(0, AuditEvent.Connect, 1, Names[0], null), new(1, AuditEvent.Connect, 2, null, null) };
        var audit = new List<AuditEntry>
        {
            new(10, 1, 2, null, null, Names[1], 300, true),
            new(11, 2, 2, null, null, Names[2], 300, true),
        };
        var row = Compute(new AuditTrail(audit, events), [new SentMessage(1, 0, 1, 100, false), new SentMessage(2, 0, 2, 100, false)]);

        Assert.Equal(1.0, row.RecipientKnownFraction);
        Assert.Equal(1, row.OnlineIdentitiesVisible);
        Assert.Equal(1.0, row.ConnectionsPerMessage);
        Assert.Equal(2.0, row.HandshakesPerMessage); // one Noise handshake each, plus the sealed layer's X25519
        Assert.Equal(1.0, row.LinkabilityConnectionTime); // the anonymous connection came 1 ms after user 0's
    }

    [Fact]
    public void Added_latency_is_each_rows_end_to_end_time_over_the_plain_rows()
    {
        var plain = Compute(new AuditTrail([], []), [], p50: 100, p99: 1000) with { Mode = "plain" };
        var sealedRow = Compute(new AuditTrail([], []), [], p50: 250, p99: 4000) with { Mode = "sealed" };

        var rows = MetadataAnalysis.WithAddedLatency([plain, sealedRow]);

        Assert.Equal((0.0, 0.0), (rows[0].AddedP50Us, rows[0].AddedP99Us));
        Assert.Equal((150.0, sealedRow.E2eP99Us - plain.E2eP99Us), (rows[1].AddedP50Us, rows[1].AddedP99Us));
        Assert.InRange(rows[1].AddedP99Us, 2990, 3010); // HdrHistogram's 3 significant digits
        Assert.Equal(0.0, MetadataAnalysis.WithAddedLatency([sealedRow])[0].AddedP99Us); // no plain row: nothing to add to
    }

    [Fact]
    public void Connection_and_mailbox_lines_are_read_apart_from_message_lines_and_bad_events_are_refused()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path,
            [
                "{\"t\":1,\"event\":\"connect\",\"conn\":3,\"conn_identity\":null}",
                "{\"t\":2,\"event\":\"open_mailbox\",\"conn\":3,\"mailbox\":\"QUJD\"}",
                "{\"t\":3,\"id\":2,\"conn\":3,\"conn_identity\":null,\"sender\":null,\"recipient\":\"QUJD\",\"bytes\":99,\"sealed\":true,\"conversation\":true}",
                "{\"t\":4,\"event\":\"disconnect\",\"conn\":3}",
            ]);
            var trail = AuditTrail.Read(path);
            Assert.True(Assert.Single(trail.Messages).Conversation);
            Assert.Equal([AuditEvent.Connect, AuditEvent.OpenMailbox, AuditEvent.Disconnect], trail.Events.Select(e => e.Kind));
            Assert.Equal("QUJD", trail.Events[1].Mailbox);

            File.WriteAllText(path, "{\"t\":1,\"event\":\"reboot\",\"conn\":3}\n");
            Assert.Contains("line 1", Assert.Throws<BadInputException>(() => AuditTrail.Read(path)).Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static MetadataRow Compute(AuditTrail trail, List<SentMessage> truth, long p50 = 10, long p99 = 10)
    {
        var histogram = new LongHistogram(1, 1_000_000, 3);
        for (var i = 0; i < 50; i++)
        {
            histogram.RecordValue(p50);
        }

        for (var i = 0; i < 48; i++)
        {
            histogram.RecordValue((p50 + p99) / 2);
        }

        histogram.RecordValue(p99); // the two highest of 100: the 99th percentile
        histogram.RecordValue(p99);
        return MetadataAnalysis.Compute("test", trail, truth, Keys, (histogram, histogram, histogram), (100, 4), 4);
    }

    private static byte[] Key(byte value) => Enumerable.Repeat(value, 32).ToArray();
}
