using System.Net;
using System.Text.Json;
using HdrHistogram;
using Json.Schema;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Output;
using Perf.Load.Targets.Echo;
using Perf.Results.Files;
using Perf.Results.Model;
using Perf.Testing.Results;

namespace Perf.Load.Tests.Engine;

public sealed class LoadResultFilesTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "perf-load-results-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_real_run_writes_a_result_that_validates_and_logs_that_read_back()
    {
        await using var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        await using var target = new EchoTarget(server.EndPoint);
        var scenario = new LoadScenario { Connections = 2, RatePerSecond = 300, MessageSize = 64, Duration = TimeSpan.FromSeconds(1.5), Warmup = TimeSpan.FromMilliseconds(300) };
        var run = await new OpenLoopRunner(scenario).RunAsync(target, null, CancellationToken.None);

        var result = LoadResultFiles.ToResult(run, "perf load --target echo", "aesgcm", "auto", EnvironmentInfo.Capture("auto", "aesgcm"));
        var path = LoadResultFiles.Write(_folder, result, run);

        var json = File.ReadAllText(path);
        using (var document = JsonDocument.Parse(json))
        {
            var schema = JsonSchema.FromText(File.ReadAllText(SchemaFile.Path()));
            Assert.True(schema.Evaluate(document.RootElement).IsValid, json);
        }

        var read = ResultFile.Read(path);
        Assert.Equal(run.Recorders.Delivered, read.Metrics.Delivered);
        Assert.Equal(run.Recorders.Delivered, read.Metrics.EndToEndUs!.Count);
        Assert.Null(read.Metrics.SealUs);
        Assert.Equal("echo", read.Scenario.Target);

        using var log = new HistogramLogReader(File.OpenRead(Path.Combine(_folder, "end_to_end_us.hlog")));
        long total = 0;
        foreach (var interval in log.ReadHistograms())
        {
            total += interval.TotalCount;
        }

        Assert.Equal(run.Recorders.Delivered, total);
        Assert.True(File.Exists(Path.Combine(_folder, "end_to_end_us.percentiles.txt")));
        Assert.False(File.Exists(Path.Combine(_folder, "seal_us.hlog")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
