using System.CommandLine;
using System.Net.Sockets;
using Perf.Cli.Load;
using Perf.Load.Impairment;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf impair --listen HOST:PORT --upstream HOST:PORT --network PROFILE</c>: the impairment
/// proxy <c>perf load --network</c> starts, on its own, so it can stand in front of anything
/// (a relay, nats-server, a k6 run's target) until Ctrl+C.
/// </summary>
internal static class ImpairCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "HOST:PORT clients connect to (port 0 picks a free port).", DefaultValueFactory = _ => "127.0.0.1:7600" };
        var upstream = new Option<string>("--upstream") { Description = "HOST:PORT of the server every connection is carried to.", Required = true };
        var network = new Option<string>("--network") { Description = "A named profile (none, mobile, 3g, lossy, flaky), key=value pairs (latency=50ms,jitter=10ms,bandwidth=1mbit,...), or a name and pairs (mobile,seed=7).", Required = true };
        var metrics = new Option<bool>("--metrics") { Description = "Print the proxy's counters once a second." };
        var command = new Command("impair", "Run the impairment proxy: a loopback TCP proxy that applies a network profile (latency, jitter, bandwidth, loss, outages, resets, slicing) to every connection.")
        {
            listen, upstream, network, metrics,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (!EndpointText.TryParse(parseResult.GetValue(listen), out var listenAt, out var listenProblem))
            {
                await error.WriteLineAsync($"perf impair: --listen: {listenProblem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            if (!EndpointText.TryParse(parseResult.GetValue(upstream), out var upstreamAt, out var upstreamProblem) || upstreamAt.Port == 0)
            {
                await error.WriteLineAsync($"perf impair: --upstream: {(upstreamAt.Port == 0 && upstreamProblem.Length == 0 ? "needs the server's port, not 0" : upstreamProblem)}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            if (!NetworkProfile.TryParse(parseResult.GetValue(network), out var profile, out var profileProblem))
            {
                await error.WriteLineAsync($"perf impair: --network: {profileProblem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            // Each proxied connection is two descriptors: take what the hard limit allows.
            Perf.Load.Os.OpenFileLimit.RaiseToHardLimit();
            ImpairmentProxy proxy;
            try
            {
                proxy = ImpairmentProxy.Start(profile, listenAt, upstreamAt);
            }
            catch (Exception ex) when (ex is SocketException or PlatformNotSupportedException)
            {
                await error.WriteLineAsync($"perf impair: cannot run the proxy on {listenAt}: {ex.Message}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            await using (proxy.ConfigureAwait(false))
            {
                await output.WriteLineAsync($"impair listening tcp={proxy.EndPoint} upstream={upstreamAt} network={profile}").ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                await RunUntilStoppedAsync(proxy, parseResult.GetValue(metrics) ? output : null, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"impair stopped {proxy.Counters}").ConfigureAwait(false);
            }

            return PerfCommandLine.Ok;
        });
        return command;
    }

    // Until Ctrl+C or SIGTERM; with a writer, one counters line a second.
    private static async Task RunUntilStoppedAsync(ImpairmentProxy proxy, TextWriter? metrics, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(metrics is null ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
                await metrics!.WriteLineAsync($"impair {proxy.Counters}").ConfigureAwait(false);
                await metrics.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped, as asked.
        }
    }
}
