using System.Diagnostics;
using Perf.Load.Probes;
using Perf.Testing.Processes;

namespace Perf.Cli.Tests.Load;

/// <summary>
/// The soak's memory readings after a full collection induced over the runtime's diagnostics port:
/// a relay process collects once per reading (its own gen-2 count, scraped from its /metrics, says
/// so), and a process that is not .NET, or is gone, is a miss the probe counts, not an error.
/// </summary>
public sealed class InducedFullCollectionTests
{
    [SkippableFact]
    public async Task Each_reading_of_a_relay_process_follows_one_full_collection_in_it()
    {
        await using var relay = await PerfBinary.StartRelayAsync();
        var probe = new ProcessProbe(relay.Process.ProcessId, new Uri($"http://{relay.WebSocketEndPoint}/metrics"), collectFirst: true);

        // Readings a second apart: the relay's Prometheus exporter answers a scrape within 300 ms of the last from its cache.
        var first = await probe.ReadAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var second = await probe.ReadAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var third = await probe.ReadAsync(CancellationToken.None);

        Assert.Equal(0, probe.CollectionsMissed);
        Assert.True(first.Gen2Collections >= 1, $"gen-2 collections at the first reading: {first.Gen2Collections}");
        Assert.True(second.Gen2Collections > first.Gen2Collections, $"{first.Gen2Collections} then {second.Gen2Collections}");
        Assert.True(third.Gen2Collections > second.Gen2Collections, $"{second.Gen2Collections} then {third.Gen2Collections}");
        Assert.True(third.ResidentBytes > 0 && third.GcHeapBytes > 0);
    }

    [Fact]
    public async Task A_process_that_is_not_dotnet_is_a_counted_miss_and_still_read_from_proc()
    {
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            var probe = new ProcessProbe(sleeper.Id, metrics: null, collectFirst: true);

            Assert.False(await InducedFullCollection.TryInduceAsync(sleeper.Id, CancellationToken.None));
            var reading = await probe.ReadAsync(CancellationToken.None);

            Assert.Equal(1, probe.CollectionsMissed);
            Assert.True(reading.ResidentBytes > 0, $"resident set {reading.ResidentBytes}");
            Assert.Null(reading.Gen2Collections);
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Fact]
    public async Task A_process_that_is_gone_is_a_miss()
    {
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await exited.WaitForExitAsync();

        Assert.False(await InducedFullCollection.TryInduceAsync(exited.Id, CancellationToken.None));
    }
}
