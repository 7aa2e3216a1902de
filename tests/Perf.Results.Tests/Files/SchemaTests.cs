using System.Text.Json;
using Json.Schema;
using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Files;

/// <summary>The writer and the published JSON Schema must agree: every written file validates, broken ones do not.</summary>
public sealed class SchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromText(File.ReadAllText(SchemaFile.Path()));

    private static bool IsValid(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true }).IsValid;
    }

    [Fact]
    public void A_full_result_validates()
    {
        Assert.True(IsValid(ResultFile.ToJson(ResultFixture.Load())));
    }

    [Fact]
    public void A_minimal_result_validates()
    {
        var minimal = ResultFixture.Load() with
        {
            FindMax = null,
            Target = null,
            Generator = null,
            Environment = ResultFixture.Load().Environment with { GitCommit = null, MemoryBytes = null },
            Metrics = new LoadMetrics { Sent = 1, Accepted = 1, Delivered = 1, Rejected = 0, Lost = 0, ThroughputMsgsPerS = 1 },
        };

        Assert.True(IsValid(ResultFile.ToJson(minimal)));
    }

    [Fact]
    public void A_relay_cluster_result_with_faults_and_duplicates_validates_and_a_bad_fault_does_not()
    {
        var nats = new TargetUsage { Process = "nats-server x3", CoresUsed = 0.7, CpuUsPerMessage = 700, ContextSwitchesPerMessage = 6 };
        var cluster = ResultFixture.Load() with
        {
            Metrics = ResultFixture.Load().Metrics with { Duplicates = 43 },
            Cluster = new ClusterRun
            {
                RelayNodes = 3,
                NatsNodes = 3,
                StoreReplicas = 3,
                Faults =
                [
                    new ClusterFaultRecord { Fault = "kill:relay:1@4s", Action = "kill", Node = "relay", Index = 1, ScheduledS = 4, AppliedS = 4.39 },
                    new ClusterFaultRecord { Fault = "restart:nats:2@6s", Action = "restart", Node = "nats", Index = 2, ScheduledS = 6, AppliedS = 6.1, ReadyS = 6.4 },
                    new ClusterFaultRecord { Fault = "kill:relay:0@11s", Action = "kill", Node = "relay", Index = 0, ScheduledS = 11, Problem = "the run ended before its time" },
                ],
                Nats = nats,
                Reconnects = 7,
                Resent = 83,
                RetriedRejections = 80,
                RelayIdDuplicates = 0,
                ReplayDuplicates = 43,
                Unanswered = 0,
            },
        };
        var json = ResultFile.ToJson(cluster);

        Assert.True(IsValid(json));
        Assert.Contains("\"duplicates\": 43", json, StringComparison.Ordinal);
        var read = ResultFile.Parse(json, "cluster").Cluster!;
        Assert.Equal(cluster.Cluster.Faults, read.Faults);
        Assert.Equal(cluster.Cluster, read with { Faults = cluster.Cluster.Faults });
        Assert.False(IsValid(json.Replace("\"action\": \"kill\"", "\"action\": \"stop\"", StringComparison.Ordinal)));
        Assert.False(IsValid(json.Replace("\"index\": 1", "\"index\": -1", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_captured_environment_validates()
    {
        var result = ResultFixture.Load() with { Environment = EnvironmentInfo.Capture("libsodium", "chacha20poly1305", includeMachineName: true) };

        Assert.True(IsValid(ResultFile.ToJson(result)));
    }

    [Fact]
    public void A_k6_result_needs_only_backend_and_cipher_in_its_environment()
    {
        var k6 = ResultFixture.Load() with { Tool = "k6", Environment = new EnvironmentInfo { Backend = "k6-webcrypto", Cipher = "aes-256-gcm" } };
        var json = ResultFile.ToJson(k6);

        Assert.True(IsValid(json));
        Assert.DoesNotContain("cpu_model", json, StringComparison.Ordinal);
        Assert.False(IsValid(json.Replace("\"tool\": \"k6\"", "\"tool\": \"perf\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_target_section_with_every_field_validates_and_reads_back()
    {
        var full = ResultFixture.Load() with
        {
            Target = ResultFixture.Load().Target! with
            {
                Cpus = "1,3-4",
                RuntimeSettings = ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0"],
                ReconnectStorm = new ReconnectStorm { Clients = 10_000, InFlight = 256, Seconds = 4.2, HandshakesPerS = 2_380, Failed = 0, CpuUsPerHandshake = 310 },
            },
            Generator = new GeneratorUsage { Cpus = "0", CoresUsed = 0.9, CpuUsPerMessage = 45, MemoryPerIdleConnectionBytes = 900 },
        };
        var json = ResultFile.ToJson(full);

        Assert.True(IsValid(json));
        Assert.Contains("\"cpu_us_per_message\": 50", json, StringComparison.Ordinal);
        Assert.Contains("\"handshakes_per_s\": 2380", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"relay\"", json, StringComparison.Ordinal);
        var read = ResultFile.Parse(json, "test").Target!;
        // Records compare lists by reference: the settings are compared apart.
        Assert.Equal(full.Target, read with { RuntimeSettings = full.Target!.RuntimeSettings });
        Assert.Equal(full.Target.RuntimeSettings, read.RuntimeSettings);
    }

    [Fact]
    public void A_store_section_beside_the_target_validates_and_reads_back_and_a_negative_one_does_not()
    {
        var withStore = ResultFixture.Load() with
        {
            Store = new TargetUsage { Process = "nats-server", Cpus = "1", CoresUsed = 0.12, CpuUsPerMessage = 24.5, ContextSwitchesPerMessage = 1.5 },
        };
        var json = ResultFile.ToJson(withStore);

        Assert.True(IsValid(json));
        Assert.Contains("\"store\": {", json, StringComparison.Ordinal);
        Assert.Equal(withStore.Store, ResultFile.Parse(json, "test").Store);
        var negative = json.Replace("\"cpu_us_per_message\": 24.5", "\"cpu_us_per_message\": -24.5", StringComparison.Ordinal);
        Assert.False(IsValid(negative));
        Assert.Throws<BadInputException>(() => ResultFile.Parse(negative, "test"));
    }

    [Theory]
    [InlineData("\"cores_used\": 2,", "\"cores_used\": -2,")]
    [InlineData("\"process\": \"perf relay\",", "")]
    [InlineData("\"idle_connections\": 10000,", "\"idle_connections\": 1.5,")]
    [InlineData("\"idle_connections\": 10000,", "\"idle_connections\": 10000, \"secret\": \"x\",")]
    public void Broken_target_sections_do_not_validate(string find, string replace)
    {
        string json = ResultFile.ToJson(ResultFixture.Load());
        Assert.Contains(find, json, StringComparison.Ordinal);

        Assert.False(IsValid(json.Replace(find, replace, StringComparison.Ordinal)));
    }

    [Fact]
    public void Older_files_with_a_relay_section_still_validate_and_read_as_a_target()
    {
        Assert.True(IsValid(ResultFile.ToJson(ResultFixture.Legacy())));
        var baseline = File.ReadAllText(Path.Combine(Path.GetDirectoryName(SchemaFile.Path())!, "..", "baseline", "load", "relay-tcp-find-max.json"));
        Assert.True(IsValid(baseline));

        var target = ResultFile.Parse(baseline, "baseline").TargetOrRelay()!;

        Assert.Equal("perf relay", target.Process);
        Assert.Equal(14518.272, target.MemoryPerConnectionBytes);
        // 0.718 cores at 102,516 msg/s: 7.0 µs per message.
        Assert.Equal(7.0, target.CpuUsPerMessage!.Value, 1);
    }

    [Fact]
    public void A_soak_with_its_series_behaviours_and_flood_validates_and_reads_back()
    {
        var soak = ResultFixture.Soak();
        var json = ResultFile.ToJson(soak);

        Assert.True(IsValid(json));
        Assert.Contains("\"series\": [", json, StringComparison.Ordinal);
        Assert.Contains("\"series_slopes\": {", json, StringComparison.Ordinal);
        Assert.Contains("\"handshake_flood\": {", json, StringComparison.Ordinal);
        var read = ResultFile.Parse(json, "soak");
        Assert.Equal(soak.Series, read.Series);
        Assert.Equal(soak.SeriesSlopes, read.SeriesSlopes);
        Assert.Equal(soak.Soak!.Failures, read.Soak!.Failures);
        Assert.Equal(soak.Behaviours!.SlowConsumers, read.Behaviours!.SlowConsumers);
        Assert.Equal(soak.Behaviours.Churn, read.Behaviours.Churn);
        Assert.Equal(soak.HandshakeFlood! with { Pairs = null }, read.HandshakeFlood! with { Pairs = null });
        Assert.Equal(soak.HandshakeFlood.Pairs, read.HandshakeFlood.Pairs); // element by element: a list is equal by reference inside a record
    }

    [Theory]
    [InlineData("\"p99_us\": 900,", "\"p99_us\": -900,")]
    [InlineData("\"seconds\": 60,", "\"seconds\": 0,")]
    [InlineData("\"points\": 26,", "\"points\": 1,")]
    [InlineData("\"passed\": true,", "\"passed\": \"yes\",")]
    [InlineData("\"kinds\": \"both\",", "\"kinds\": \"all\",")]
    [InlineData("\"undelivered\": 50000,", "\"undelivered\": -1,")]
    [InlineData("\"returned\": 2500,", "\"returned\": 2500, \"secret\": 1,")]
    [InlineData("\"p99_ratio\": 1.5", "\"p99_ratio\": -1.5")]
    [InlineData("\"delivered_percent\": 99.5,", "\"delivered_percent\": \"99.5\",")]
    public void Broken_soak_sections_do_not_validate(string find, string replace)
    {
        string json = ResultFile.ToJson(ResultFixture.Soak());
        Assert.Contains(find, json, StringComparison.Ordinal);

        Assert.False(IsValid(json.Replace(find, replace, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("\"schema\": \"perf-result/1\"", "\"schema\": \"perf-result/2\"")]
    [InlineData("\"arrival\": \"poisson\"", "\"arrival\": \"burst\"")]
    [InlineData("\"p99\": 900,", "\"p99\": \"fast\",")]
    [InlineData("\"sent\": 600000,", "")]
    [InlineData("\"lost\": 10,", "\"lost\": 10, \"password\": \"x\",")]
    public void Broken_results_do_not_validate(string find, string replace)
    {
        string json = ResultFile.ToJson(ResultFixture.Load());
        Assert.Contains(find, json, StringComparison.Ordinal);

        Assert.False(IsValid(json.Replace(find, replace, StringComparison.Ordinal)));
    }
}
