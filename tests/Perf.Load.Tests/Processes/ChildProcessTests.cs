using System.Diagnostics;
using Perf.Load.Processes;
using Perf.Load.Targets;
using Perf.Testing.Folders;

namespace Perf.Load.Tests.Processes;

/// <summary>The one way the harness starts, waits for, stops and kills a child: against real shell processes.</summary>
public sealed class ChildProcessTests : TempFolder
{
    [Fact]
    public async Task A_child_that_prints_its_ready_line_is_returned_with_that_line()
    {
        await using var child = await ChildProcess.StartAsync(Shell("echo warming up; echo 'ready at 42'; exec sleep 30", "waiter") with { ReadyLinePrefix = "ready at " }, CancellationToken.None);

        Assert.Equal("ready at 42", child.ReadyLine);
        Assert.True(child.IsRunning);
        Assert.Equal("waiter", child.Name);
        Assert.True(child.Sample().ResidentBytes > 0);
    }

    [Fact]
    public async Task A_probed_child_is_returned_once_the_probe_says_ready()
    {
        var flag = Path.Combine(Folder, "ready");
        await using var child = await ChildProcess.StartAsync(
            Shell($"sleep 0.2; touch {flag}; exec sleep 30", "prober") with { ReadyProbe = _ => Task.FromResult(File.Exists(flag)) },
            CancellationToken.None);

        Assert.True(File.Exists(flag));
        Assert.Null(child.ReadyLine);
    }

    [Fact]
    public async Task A_loopback_port_accepts_once_something_listens_on_it()
    {
        var port = LoopbackPort.Free();
        Assert.False(await LoopbackPort.AcceptsAsync(port, CancellationToken.None));
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
        listener.Start();

        Assert.True(await LoopbackPort.AcceptsAsync(port, CancellationToken.None));
    }

    [Fact]
    public async Task A_child_that_exits_at_start_is_an_error_naming_it_with_its_exit_code_and_what_it_wrote()
    {
        var ex = await Assert.ThrowsAsync<LoadTargetException>(() => ChildProcess.StartAsync(Shell("echo 'no config' >&2; exit 3", "broken") with { ReadyLinePrefix = "ready" }, CancellationToken.None));

        Assert.StartsWith("broken exited at start (code 3)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_child_not_ready_in_time_is_killed_and_the_error_says_how_long_it_had()
    {
        var unique = $"30.{Random.Shared.Next(100_000, 999_999)}";

        var ex = await Assert.ThrowsAsync<LoadTargetException>(() => ChildProcess.StartAsync(
            Shell($"exec sleep {unique}", "slow") with { ReadyProbe = _ => Task.FromResult(false), Timeout = TimeSpan.FromSeconds(1) },
            CancellationToken.None));

        Assert.StartsWith("slow was not ready within 1 s", ex.Message, StringComparison.Ordinal);
        Assert.Empty(ProcessesWithArgument(unique));
    }

    [SkippableFact]
    public async Task Dispose_asks_with_sigterm_first_so_the_child_shuts_down_by_itself()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "SIGTERM is sent on Linux only.");
        var child = await ChildProcess.StartAsync(Polite("polite"), CancellationToken.None);

        await child.DisposeAsync();

        Assert.Equal("stopped", File.ReadAllText(Marker).Trim());
    }

    [Fact]
    public async Task A_child_that_ignores_sigterm_is_killed_after_its_stop_timeout()
    {
        var child = await ChildProcess.StartAsync(Shell("trap '' TERM; echo ready; while true; do sleep 0.05; done", "stubborn") with { ReadyLinePrefix = "ready", StopTimeout = TimeSpan.FromMilliseconds(300) }, CancellationToken.None);
        var pid = child.ProcessId;
        var stopping = Stopwatch.StartNew();

        await child.DisposeAsync();

        Assert.False(Directory.Exists($"/proc/{pid}"), "the child is still running");
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(4), $"stopping took {stopping.Elapsed}");
    }

    [Fact]
    public async Task Kill_is_kill_9_even_for_a_child_that_would_stop_gracefully()
    {
        await using var child = await ChildProcess.StartAsync(Polite("victim"), CancellationToken.None);
        var pid = child.ProcessId;

        await child.KillAsync();

        Assert.False(child.IsRunning);
        Assert.False(Directory.Exists($"/proc/{pid}"), "the child is still running");
        Assert.False(File.Exists(Marker), "the child ran its SIGTERM handler: it was not killed with -9");
    }

    [Fact]
    public async Task The_runtime_settings_it_started_with_are_recorded_and_the_users_own_win()
    {
        var start = Shell("echo ready; exec sleep 30", "dotnet child") with { ReadyLinePrefix = "ready" };
        start.Command.Environment["GOMAXPROCS"] = "2";
        start.Command.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        RuntimeSettings.AddDotNet(start.Command, new Dictionary<string, string> { ["DOTNET_PerfTestKnob"] = "7" });

        await using var child = await ChildProcess.StartAsync(start, CancellationToken.None);

        Assert.Contains("GOMAXPROCS=2", child.RuntimeSettings);
        Assert.Contains("DOTNET_PerfTestKnob=7", child.RuntimeSettings);
        foreach (var (name, value) in RuntimeSettings.DotNet)
        {
            Assert.Contains($"{name}={Environment.GetEnvironmentVariable(name) ?? value}", child.RuntimeSettings);
        }

        Assert.DoesNotContain(child.RuntimeSettings, s => s.StartsWith("DOTNET_CLI_", StringComparison.Ordinal));
        Assert.Equal(child.RuntimeSettings.Order(StringComparer.Ordinal), child.RuntimeSettings);
    }

    [Fact]
    public async Task A_run_to_exit_passes_every_line_on_and_returns_the_exit_code()
    {
        var output = new List<string>();
        var error = new List<string>();

        var exitCode = await ChildProcess.RunToExitAsync(new ProcessStartInfo("sh") { ArgumentList = { "-c", "echo one; echo two; echo oops >&2; exit 7" } }, output.Add, error.Add, CancellationToken.None);

        Assert.Equal(7, exitCode);
        Assert.Equal(["one", "two"], output);
        Assert.Equal(["oops"], error);
    }

    [Fact]
    public async Task A_cancelled_run_to_exit_kills_the_child()
    {
        var unique = $"30.{Random.Shared.Next(100_000, 999_999)}";
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ChildProcess.RunToExitAsync(new ProcessStartInfo("sleep") { ArgumentList = { unique } }, null, null, cancel.Token));

        var deadline = Stopwatch.StartNew();
        while (ProcessesWithArgument(unique).Count > 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "the cancelled child is still running");
            await Task.Delay(20);
        }
    }

    private string Marker => Path.Combine(Folder, "stopped");

    private static ChildProcessStart Shell(string script, string name) => new(new ProcessStartInfo("sh") { ArgumentList = { "-c", script } }, name);

    // Writes "stopped" to the marker on SIGTERM and exits 0; a kill -9 leaves no marker.
    private ChildProcessStart Polite(string name) =>
        Shell($"trap 'echo stopped > {Marker}; exit 0' TERM; echo ready; while true; do sleep 0.05; done", name) with { ReadyLinePrefix = "ready" };

    private static List<int> ProcessesWithArgument(string argument)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0').Contains(argument))
                    {
                        found.Add(pid);
                    }
                }
                catch (IOException)
                {
                    // Gone meanwhile.
                }
                catch (UnauthorizedAccessException)
                {
                    // Not ours.
                }
            }
        }

        return found;
    }
}
