using HdrHistogram;
using Perf.Results.Metadata;

namespace Perf.Results.Tests.Metadata;

/// <summary>What the analysis derives from an audit log: leak figures, attacks scored against the truth, and bad lines refused.</summary>
public sealed class MetadataAnalysisTests
{
    private static readonly byte[][] Keys = [Key(1), Key(2), Key(3), Key(4)];
    private static readonly string[] Names = Array.ConvertAll(Keys, Convert.ToBase64String);

    [Fact]
    public void A_plain_log_knows_every_sender_and_sizes_give_their_entropy()
    {
        // Four messages, four sizes equally likely: 2 bits; every sender logged.
        var audit = new List<AuditEntry>
        {
            new(1000, 1, 1, Names[0], Names[0], Names[1], 100, false),
            new(1001, 2, 2, Names[1], Names[1], Names[0], 200, false),
            new(1002, 3, 1, Names[0], Names[0], Names[1], 300, false),
            new(1003, 4, 2, Names[1], Names[1], Names[0], 400, false),
        };
        var truth = new List<SentMessage> { new(1, 0, 1, 61, false), new(2, 1, 0, 161, true), new(3, 0, 1, 261, false), new(4, 1, 0, 361, true), new(5, 0, 1, 10, false) };

        var row = Compute(audit, truth);

        Assert.Equal(1.0, row.SenderKnownFraction);
        Assert.Equal(4, row.SizeClasses);
        Assert.Equal(2.0, row.SizeEntropyBits);
        Assert.Equal(39.0, row.BytesOverheadPerMessage);
        Assert.Equal(1, row.Unlogged); // message 5 was accepted but is not in the log
        Assert.Equal(1.0, row.Linkability);
        Assert.Equal(25.0, row.RelayCpuUsPerMessage); // 100 µs over 4 delivered
    }

    [Fact]
    public void Receipts_right_after_a_reception_give_the_sender_away_to_the_timing_attacks()
    {
        // Users 0..3 on anonymous connections 10..13, two conversations (0-2, 1-3) taking turns to
        // start; each receipt follows its reception by 5 ms, the other conversation 400 ms later.
        var audit = new List<AuditEntry>();
        var truth = new List<SentMessage>();
        ulong id = 0;
        long t = 0;
        for (var round = 0; round < 40; round++)
        {
            var (from, to) = round % 2 == 0 ? (0, 2) : (2, 0);
            Add(from, to, t, reply: false);
            Add(to, from, t + 5, reply: true);   // the receipt
            var (start, other) = round % 2 == 0 ? (1, 3) : (3, 1);
            Add(start, other, t + 400, reply: false);
            Add(other, start, t + 405, reply: true);
            t += 1000;
        }

        var row = Compute(audit, truth);

        Assert.Equal(0.0, row.SenderKnownFraction);
        Assert.True(row.LinkabilityLastRecipient >= 0.5, $"last-recipient {row.LinkabilityLastRecipient}");
        Assert.Equal(1.0, row.LinkabilityDisclosure);
        Assert.Equal(1.0, row.Linkability);

        void Add(int sender, int recipient, long at, bool reply)
        {
            id++;
            audit.Add(new AuditEntry(at, id, 10 + sender, null, null, Names[recipient], 300, true));
            truth.Add(new SentMessage(id, sender, recipient, 100, reply));
        }
    }

    [Fact]
    public void Sealed_sender_over_an_authenticated_connection_still_names_the_sender()
    {
        var audit = new List<AuditEntry> { new(1, 1, 5, Names[2], null, Names[0], 300, true) };
        var row = Compute(audit, [new SentMessage(1, 2, 0, 100, false)]);
        Assert.Equal(0.0, row.SenderKnownFraction);
        Assert.Equal(1.0, row.Linkability);
    }

    [Fact]
    public void Audit_lines_that_are_not_records_are_refused_naming_the_line_and_a_partial_last_line_waits()
    {
        var path = Path.GetTempFileName();
        try
        {
            const string good = "{\"t\":1,\"id\":2,\"conn\":3,\"conn_identity\":null,\"sender\":null,\"recipient\":\"AAAA\",\"bytes\":5,\"sealed\":true}";
            File.WriteAllText(path, good + "\n" + good[..20]);
            var read = AuditEntry.ReadAll(path);
            Assert.Equal(new AuditEntry(1, 2, 3, null, null, "AAAA", 5, true), Assert.Single(read));

            File.WriteAllText(path, good + "\n{\"t\":1}\n");
            var ex = Assert.Throws<BadInputException>(() => AuditEntry.ReadAll(path));
            Assert.Contains("line 2", ex.Message, StringComparison.Ordinal);

            File.WriteAllText(path, "not json\n");
            Assert.Throws<BadInputException>(() => AuditEntry.ReadAll(path));
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Throws<BadInputException>(() => AuditEntry.ReadAll(path));
    }

    [Fact]
    public void The_result_file_and_report_round_trip()
    {
        var folder = Directory.CreateTempSubdirectory("metadata-report").FullName;
        try
        {
            var audit = new List<AuditEntry> { new(1, 1, 1, Names[0], Names[0], Names[1], 100, false) };
            var result = new MetadataResult { Rows = [Compute(audit, [new SentMessage(1, 0, 1, 61, false)])], Command = "perf metadata" };
            result.Write(Path.Combine(folder, "metadata.json"));
            MetadataReport.Write(folder, result, new Dictionary<string, IReadOnlyList<int>> { ["test"] = [100, 200, 200] });

            var back = MetadataResult.Read(Path.Combine(folder, "metadata.json"));
            Assert.Equal(result.Rows[0], back.Rows[0]);
            Assert.Contains("\"sender_known_fraction\": 1", File.ReadAllText(Path.Combine(folder, "metadata.json")), StringComparison.Ordinal);
            Assert.Contains("<svg", File.ReadAllText(Path.Combine(folder, "metadata-sizes.svg")), StringComparison.Ordinal);
            Assert.Contains("| test |", File.ReadAllText(Path.Combine(folder, "report.md")), StringComparison.Ordinal);
            Assert.Throws<BadInputException>(() => MetadataResult.Read(Path.Combine(folder, "report.md")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static MetadataRow Compute(List<AuditEntry> audit, List<SentMessage> truth)
    {
        var histogram = new LongHistogram(1, 1_000_000, 3);
        histogram.RecordValue(10);
        return MetadataAnalysis.Compute("test", audit, truth, Keys, (histogram, histogram, histogram), (100, 4), 4);
    }

    private static byte[] Key(byte value) => Enumerable.Repeat(value, 32).ToArray();
}
