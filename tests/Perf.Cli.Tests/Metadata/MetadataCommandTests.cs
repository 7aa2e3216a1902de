using System.Text.Json;
using Perf.Cli.Tests.Results;
using Perf.Load.Os;

namespace Perf.Cli.Tests.Metadata;

/// <summary><c>perf metadata</c> end to end (a relay process per mode), and the bad input of the new options.</summary>
public sealed class MetadataCommandTests
{
    [Fact]
    public void Six_modes_show_what_the_relay_learns_and_what_padding_and_mailboxes_hide()
    {
        var folder = Directory.CreateTempSubdirectory("perf-metadata").FullName;
        try
        {
            var run = CliRun.Invoke("metadata", "--out", folder, "--duration", "2s", "--warmup", "1s", "--rate", "300", "--users", "16", "--receipt-delay", "300ms", "--fresh-connection-every", "5", "--cover-rate", "150");
            Assert.True(run.ExitCode == 0, run.Error + run.Output);

            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "metadata.json")));
            var rows = json.RootElement.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("mode").GetString()!);
            Assert.Equal(["plain", "padded", "sealed", "sealed+padded", "conversations", "conversations+padded", "sealed+receipt-delay", "conversations+receipt-delay", "sealed+fresh-connections", "sealed+cover"], rows.Keys);
            foreach (var (mode, row) in rows)
            {
                Assert.True(row.GetProperty("unlogged").GetInt64() == 0, $"{mode}: {row.GetProperty("unlogged")} accepted messages not in the audit log");
                Assert.True(row.GetProperty("messages").GetInt64() > 100);
                Assert.True(row.GetProperty("relay_cpu_us_per_message").GetDouble() > 0);
                Assert.True(row.GetProperty("seal_us_p50").GetDouble() > 0);
                Assert.Equal(16, row.GetProperty("online_identities_visible").GetInt32());
                Assert.True(row.GetProperty("connections_per_message").GetDouble() > 0);
                Assert.True(row.TryGetProperty("linkability_connection_time", out _) && row.TryGetProperty("added_p99_us", out _));

                // perf load's accounting: the relay process's own section, and the generator's.
                var target = row.GetProperty("target");
                Assert.Equal("perf relay", target.GetProperty("process").GetString());
                Assert.Equal(row.GetProperty("relay_cpu_us_per_message").GetDouble(), Math.Round(target.GetProperty("cpu_us_per_message").GetDouble(), 1));
                Assert.True(target.GetProperty("cores_used").GetDouble() > 0 && target.GetProperty("context_switches_per_message").GetDouble() > 0);
                Assert.True(row.GetProperty("generator").GetProperty("cpu_us_per_message").GetDouble() > 0);
                Assert.True(row.GetProperty("e2e_p99_over_floor").GetDouble() > 0);
            }

            var floor = json.RootElement.GetProperty("floor");
            Assert.Equal("perf echo", floor.GetProperty("target").GetProperty("process").GetString());
            Assert.Equal(16, floor.GetProperty("connections").GetInt32());
            Assert.True(floor.GetProperty("e2e_p99_us").GetDouble() > 0 && floor.GetProperty("delivered").GetInt64() > 100);

            foreach (var mode in (string[])["conversations", "conversations+padded", "conversations+receipt-delay"])
            {
                Assert.Equal(0.0, rows[mode].GetProperty("sender_known_fraction").GetDouble());

                // One set-up per pair (16 on the ring), sent through the relay: the only messages to an identity.
                var setups = rows[mode].GetProperty("conversation_setups").GetInt64();
                Assert.Equal(16, setups);
                Assert.Equal(Math.Round(setups / (double)rows[mode].GetProperty("messages").GetInt64(), 4), rows[mode].GetProperty("recipient_known_fraction").GetDouble());
                Assert.True(rows[mode].GetProperty("recipient_known_fraction").GetDouble() <= 0.05);
                Assert.Equal(0.0, rows[mode].GetProperty("linkability_disclosure").GetDouble());
                Assert.True(rows[mode].GetProperty("handshakes_per_message").GetDouble() < 1); // no per-message X25519, as sealed sender has
            }

            Assert.Equal(1.0, rows["sealed"].GetProperty("recipient_known_fraction").GetDouble());
            Assert.True(rows["sealed"].GetProperty("handshakes_per_message").GetDouble() > 1);
            // A new anonymous connection every 5 sends: about a fifth of a connection per message more.
            Assert.True(rows["sealed+fresh-connections"].GetProperty("connections_per_message").GetDouble() > rows["sealed"].GetProperty("connections_per_message").GetDouble() + 0.1);
            // Cover at 150/s beside 300/s of real traffic: the relay logs about half again as many messages.
            Assert.True(rows["sealed+cover"].GetProperty("messages").GetInt64() > rows["sealed"].GetProperty("messages").GetInt64() * 1.2);

            Assert.Equal(1.0, rows["plain"].GetProperty("sender_known_fraction").GetDouble());
            Assert.Equal(1.0, rows["padded"].GetProperty("sender_known_fraction").GetDouble());
            Assert.Equal(0.0, rows["sealed"].GetProperty("sender_known_fraction").GetDouble());
            Assert.Equal(0.0, rows["sealed+padded"].GetProperty("sender_known_fraction").GetDouble());
            Assert.True(rows["padded"].GetProperty("size_classes").GetInt32() * 2 < rows["plain"].GetProperty("size_classes").GetInt32());
            Assert.True(rows["sealed"].GetProperty("bytes_overhead_per_message").GetDouble() > rows["plain"].GetProperty("bytes_overhead_per_message").GetDouble() + 150);
            Assert.True(File.Exists(Path.Combine(folder, "report.md")) && File.Exists(Path.Combine(folder, "metadata-sizes.svg")));
            Assert.Contains("Beside the floor: echo (16 connections", File.ReadAllText(Path.Combine(folder, "report.md")), StringComparison.Ordinal);
            var sealedLog = File.ReadAllLines(Path.Combine(folder, "audit-sealed.jsonl")).Where(l => l.Contains("\"id\":", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(sealedLog);
            Assert.All(sealedLog, l => Assert.Contains("\"sender\":null", l, StringComparison.Ordinal));

            // The conversations run's log: no identity as sender or connection identity of any message,
            // and as recipient only in the set-ups (sealed sends, none a conversation message).
            var identities = File.ReadAllText(Path.Combine(folder, "truth-conversations.json"));
            var conversationLog = File.ReadAllLines(Path.Combine(folder, "audit-conversations.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).Where(l => l.TryGetProperty("id", out _)).ToList();
            Assert.True(conversationLog.Count > 100);
            Assert.All(conversationLog, l =>
            {
                Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (l.GetProperty("sender").ValueKind, l.GetProperty("conn_identity").ValueKind));
                var toIdentity = identities.Contains(l.GetProperty("recipient").GetString()!, StringComparison.Ordinal);
                Assert.Equal(!toIdentity, l.GetProperty("conversation").GetBoolean());
                Assert.True(l.GetProperty("sealed").GetBoolean());
            });
            Assert.Equal(16, conversationLog.Count(l => !l.GetProperty("conversation").GetBoolean()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [SkippableFact]
    public void A_pinned_run_records_where_the_relay_the_floor_and_the_generator_ran()
    {
        Skip.IfNot(CpuAffinity.IsSupported, "CPU pinning needs Linux.");
        var available = CpuAffinity.Available();
        var last = available.Cpus[^1].ToString(System.Globalization.CultureInfo.InvariantCulture);
        var folder = Directory.CreateTempSubdirectory("perf-metadata-pinned").FullName;
        try
        {
            // The generator is pinned to every CPU it may use already, so the test host keeps them for the tests after this one.
            var run = CliRun.Invoke("metadata", "--out", folder, "--duration", "1s", "--warmup", "300ms", "--rate", "200", "--users", "4",
                "--receipt-delay", "0", "--fresh-connection-every", "0", "--cover-rate", "0", "--target-cpus", last, "--generator-cpus", available.ToString());
            Assert.True(run.ExitCode == 0, run.Error + run.Output);

            var result = Perf.Results.Metadata.MetadataResult.Read(Path.Combine(folder, "metadata.json"));
            Assert.Equal(["plain", "padded", "sealed", "sealed+padded", "conversations", "conversations+padded"], result.Rows.Select(r => r.Mode));
            Assert.All(result.Rows, r =>
            {
                Assert.Equal(last, r.Target!.Cpus);
                Assert.Equal(available.ToString(), r.Generator!.Cpus);
                Assert.True(r.Target.CpuUsPerMessage > 0);
            });
            Assert.Equal(last, result.Floor!.Target!.Cpus);
            Assert.Contains($"(CPUs {last})", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("--target-cpus", "x", "--target-cpus")]
    [InlineData("--generator-cpus", "9999", "--generator-cpus")]
    [InlineData("--sizes", "bogus", "chat")]
    [InlineData("--rate", "0", "rate")]
    [InlineData("--users", "1", "users")]
    [InlineData("--duration", "soon", "--duration")]
    [InlineData("--receipt-delay", "soon", "--receipt-delay")]
    [InlineData("--fresh-connection-every", "-1", "fresh connections")]
    [InlineData("--cover-rate", "-5", "cover rate")]
    public void Bad_values_are_one_line_and_exit_2(string option, string value, string expected)
    {
        CliRun.Invoke("metadata", option, value).AssertBadInput(expected);
    }

    [Fact]
    public void Load_refuses_unknown_padding_and_sealed_sender_for_other_targets()
    {
        CliRun.Invoke("load", "--target", "relay-tcp", "--padding", "pow3").AssertBadInput("--padding");
        CliRun.Invoke("load", "--target", "echo", "--sealed-sender").AssertBadInput("relay targets");
        CliRun.Invoke("load", "--target", "nats", "--padding", "padme").AssertBadInput("relay targets");
    }

    [Fact]
    public void Relay_refuses_an_audit_log_it_cannot_write()
    {
        CliRun.Invoke("relay", "--tcp", "127.0.0.1:0", "--ws", "127.0.0.1:0", "--audit-log", "/nonexistent-dir/audit.jsonl").AssertBadInput("--audit-log");
    }
}
