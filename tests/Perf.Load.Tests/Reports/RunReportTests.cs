using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Output;
using Perf.Load.Targets;
using Perf.Load.Targets.Echo;
using Perf.Results.Model;
using Perf.Results.Reports.Run;

namespace Perf.Load.Tests.Reports;

/// <summary>The report of a real short run: every section, plot and table is there, and a browser can render it.</summary>
public sealed class RunReportTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "perf-report-" + Guid.NewGuid().ToString("N"));
    private string _html = string.Empty;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        await using var server = await EchoServer.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), CancellationToken.None);
        var scenario = new LoadScenario { Connections = 2, RatePerSecond = 200, MessageSize = 64, Duration = TimeSpan.FromSeconds(1), Warmup = TimeSpan.FromMilliseconds(200) };
        var search = await new FindMaxSearch(scenario, Slo.Parse("p99=1s"), new FindMaxOptions(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(100), 2, MaxSteps: 2, Refinements: 0, WarmUpStep: false))
            .RunAsync(_ => Task.FromResult<ILoadTarget>(new EchoTarget(server.EndPoint)), null, CancellationToken.None);
        var run = search.Steps[^1].Run;
        var result = LoadResultFiles.ToResult(run, "perf load --find-max", "aesgcm", "auto", EnvironmentInfo.Capture("auto", "aesgcm"), search);

        // A step that delivered nothing records 0 µs: the report must show it as failed, not plot it at 0.
        var dead = new FindMaxStep { Rate = 10_000, DeliveredRate = 0, P50Us = 0, P99Us = 0, P999Us = 0, Passed = false, Reason = "delivered 0 msgs/s of 10000 offered" };
        result = result with { FindMax = result.FindMax! with { Steps = [.. result.FindMax.Steps, dead] } };
        LoadResultFiles.Write(_folder, result, run);
        await File.WriteAllTextAsync(Path.Combine(_folder, "Perf.Benchmarks.Aead.AeadBenchmarks-report-full.json"), AeadReport());
        await File.WriteAllTextAsync(Path.Combine(_folder, OpenSslSpeed.FileName), "type             16384 bytes\nAES-256-GCM     4000000.00k\n");
        _html = await File.ReadAllTextAsync(RunReportWriter.Write(_folder));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void Every_section_is_present_with_its_plot_or_table()
    {
        foreach (var id in new[] { "environment", "scenario", "floor", "floor-spread", "aead", "latency", "find-max", "counts" })
        {
            Assert.Contains($"<section id=\"{id}\">", _html, StringComparison.Ordinal);
        }

        Assert.Equal(3, Regex.Count(_html, "<svg"));
        Assert.Equal(7, Regex.Count(_html, "<table>"));

        // One echo run and no other target: no ratios across runs, and the report says how to get them.
        Assert.Single(Regex.Matches(_html, "class=\"none\""));
        Assert.Contains("perf load --targets echo,relay-tcp --repeat 3", _html, StringComparison.Ordinal);
        Assert.Contains("aes-256-gcm/sodium", _html, StringComparison.Ordinal);
        Assert.Contains("max sustainable", _html, StringComparison.Ordinal);
        // 1.6 GB/s measured against 4 GB/s from openssl speed.
        Assert.Contains("<td>40%</td>", _html, StringComparison.Ordinal);
    }

    [Fact]
    public void The_markdown_summary_links_its_plots_and_they_exist()
    {
        var markdown = File.ReadAllText(Path.Combine(_folder, RunReportWriter.MarkdownFileName));
        foreach (Match link in Regex.Matches(markdown, @"\]\((report-[a-z-]+\.svg)\)"))
        {
            Assert.True(File.Exists(Path.Combine(_folder, link.Groups[1].Value)), link.Groups[1].Value);
        }

        Assert.Equal(3, Regex.Count(markdown, @"\.svg\)"));
        Assert.Contains("## Counts and errors", markdown, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Headless_chromium_renders_the_report()
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);
        Skip.If(chromium is null, "chromium is not installed (apt-get install chromium).");
        var png = Path.Combine(_folder, "report.png");
        var start = new ProcessStartInfo(chromium!)
        {
            ArgumentList =
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", $"--user-data-dir={Path.Combine(_folder, "chrome")}",
                $"--screenshot={png}", "--window-size=1000,2400", "file://" + Path.Combine(_folder, RunReportWriter.HtmlFileName),
            },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.True(File.Exists(png), "no screenshot was written");
        Assert.True(new FileInfo(png).Length > 20_000, "the screenshot is nearly empty");
        Assert.Contains("failed: delivered 0 msgs/s of 10000 offered", _html, StringComparison.Ordinal);
        Assert.Contains("failed steps", _html, StringComparison.Ordinal);
    }

    // A BenchmarkDotNet full report with the AEAD suite's shape: seal at two sizes, 10 iterations each.
    private static string AeadReport()
    {
        var benchmarks = new List<string>();
        foreach (var (size, ns) in new[] { (256, 400.0), (16384, 10240.0) })
        {
            var measurements = new StringBuilder();
            for (var i = 0; i < 10; i++)
            {
                measurements.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"{{\"IterationMode\":\"Workload\",\"IterationStage\":\"Result\",\"LaunchIndex\":1,\"IterationIndex\":{i + 1},\"Operations\":1000,\"Nanoseconds\":{ns * 1000}}}");
            }

            benchmarks.Add($"{{\"Type\":\"AeadBenchmarks\",\"Method\":\"Seal\",\"Parameters\":\"Cipher=aes-256-gcm/sodium&Size={size}\",\"FullName\":\"Perf.Benchmarks.Aead.AeadBenchmarks.Seal(Cipher: \\\"aes-256-gcm/sodium\\\", Size: {size})\",\"Memory\":{{\"BytesAllocatedPerOperation\":0}},\"Measurements\":[{measurements}]}}");
        }

        return $"{{\"Title\":\"AeadBenchmarks\",\"Benchmarks\":[{string.Join(',', benchmarks)}]}}";
    }
}
