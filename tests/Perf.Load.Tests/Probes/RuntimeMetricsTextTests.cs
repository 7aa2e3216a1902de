using Perf.Load.Probes;
using Perf.Testing.Relays;

namespace Perf.Load.Tests.Probes;

/// <summary>Reading a .NET target's collector and a relay's mailbox depth from its Prometheus text.</summary>
public sealed class RuntimeMetricsTextTests
{
    [Fact]
    public void The_heap_is_summed_over_generations_and_gen2_pauses_and_depth_are_read()
    {
        const string text = """
            # HELP dotnet_gc_collections_total The number of garbage collections.
            # TYPE dotnet_gc_collections_total counter
            dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen2"} 7
            dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen0"} 99
            dotnet_gc_last_collection_heap_size_bytes{otel_scope_name="System.Runtime",gc_heap_generation="gen0"} 1000
            dotnet_gc_last_collection_heap_size_bytes{otel_scope_name="System.Runtime",gc_heap_generation="loh"} 2500 1712345678901
            dotnet_gc_pause_time_seconds_total{otel_scope_name="System.Runtime"} 0.125
            relay_mailbox_depth{otel_scope_name="Relay.Server"} 42
            relay_mailbox_depth_other 5
            garbage line without a value
            dotnet_gc_pause_time_seconds_total{broken 3
            """;

        var snapshot = RuntimeMetricsText.Parse(text);

        Assert.Equal(3500, snapshot.GcHeapBytes);
        Assert.Equal(7, snapshot.Gen2Collections);
        Assert.Equal(0.125, snapshot.GcPauseSeconds);
        Assert.Equal(42, snapshot.MailboxDepth);
        Assert.Null(snapshot.ResidentBytes);
    }

    [Fact]
    public void Text_without_them_reads_as_unknown()
    {
        Assert.Equal(TargetSnapshot.Empty, RuntimeMetricsText.Parse("relay_connections 3\n"));
    }

    [Fact]
    public async Task A_relay_serving_metrics_is_read_with_this_process_descriptors_and_memory()
    {
        await using var relay = await TestRelay.StartAsync(o => o with { PrometheusMetrics = true });
        var probe = new ProcessProbe(Environment.ProcessId, new Uri($"http://{relay.Server.WebSocketEndPoint}/metrics"));

        var snapshot = await probe.ReadAsync(CancellationToken.None);

        Assert.True(snapshot.GcHeapBytes > 0, "the runtime's heap");
        Assert.True(snapshot.Gen2Collections >= 0 && snapshot.GcPauseSeconds >= 0);
        Assert.Equal(0, snapshot.MailboxDepth);
        if (OperatingSystem.IsLinux())
        {
            Assert.True(snapshot.ResidentBytes > 10_000_000, $"rss {snapshot.ResidentBytes}");
            Assert.True(snapshot.Handles > 3, $"handles {snapshot.Handles}");
        }
    }

    [Fact]
    public async Task A_target_without_metrics_still_has_its_memory_and_a_gone_one_nothing()
    {
        var gone = await new ProcessProbe(int.MaxValue, new Uri("http://127.0.0.1:9/metrics")).ReadAsync(CancellationToken.None);

        Assert.Equal(TargetSnapshot.Empty, gone);
    }
}
