using System.CommandLine;
using Perf.Cli.Load;
using Perf.Load;
using Perf.Load.Engine;
using Perf.Load.Targets;
using Spectre.Console;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf load</c>: an open-loop load run against one target, or several in a row with
/// <c>--targets a,b,c</c> so their figures come from the same machine state.
/// </summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var target = new Option<string?>("--target") { Description = "SCHEME://HOST:PORT (relay-tcp, relay-ws, nats, echo), or a bare name to start that target embedded." };
        var targets = new Option<string?>("--targets") { Description = "Comma-separated targets run one after another with the same scenario." };
        var connections = new Option<int>("--connections") { Description = "Client connections.", DefaultValueFactory = _ => 10 };
        var rate = new Option<double>("--rate") { Description = "Total arrival rate, messages per second.", DefaultValueFactory = _ => 1000 };
        var size = new Option<int>("--size") { Description = "Plaintext message size in bytes.", DefaultValueFactory = _ => 256 };
        var duration = new Option<string>("--duration") { Description = "Measured time: 30s, 2m, 500ms.", DefaultValueFactory = _ => "30s" };
        var warmup = new Option<string>("--warmup") { Description = "Warm-up before measuring.", DefaultValueFactory = _ => "5s" };
        var arrival = new Option<string>("--arrival") { Description = "constant or poisson.", DefaultValueFactory = _ => "constant" };
        arrival.AcceptOnlyFromAmong("constant", "poisson");
        var relayKey = new Option<string?>("--relay-key") { Description = "The relay's static public key (base64) to pin, for relay-tcp." };
        var wsSecret = new Option<string?>("--ws-secret") { Description = "The relay's WebSocket token secret, for relay-ws." };
        var cipher = new Option<string>("--cipher") { Description = "aesgcm or chachapoly.", DefaultValueFactory = _ => "aesgcm" };
        cipher.AcceptOnlyFromAmong("aesgcm", "chachapoly");
        var backend = new Option<string>("--backend") { Description = "auto, sodium or openssl.", DefaultValueFactory = _ => "auto" };
        backend.AcceptOnlyFromAmong("auto", "sodium", "openssl");

        var command = new Command("load", "Open-loop load: fixed arrival rate, latency from intended send time, HdrHistogram recording.")
        {
            target, targets, connections, rate, size, duration, warmup, arrival, relayKey, wsSecret, cipher, backend,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (!DurationText.TryParse(parseResult.GetValue(duration), out var measured) || !DurationText.TryParse(parseResult.GetValue(warmup), out var warm))
            {
                await error.WriteLineAsync("perf load: --duration and --warmup take a time such as 30s, 2m or 500ms.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var scenario = new LoadScenario
            {
                Connections = parseResult.GetValue(connections),
                RatePerSecond = parseResult.GetValue(rate),
                MessageSize = parseResult.GetValue(size),
                Duration = measured,
                Warmup = warm,
                Arrival = parseResult.GetValue(arrival) == "poisson" ? ArrivalProcess.Poisson : ArrivalProcess.Constant,
            };
            if (scenario.Validate() is { } problem)
            {
                await error.WriteLineAsync($"perf load: {problem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var names = parseResult.GetValue(targets)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                ?? [parseResult.GetValue(target) ?? "echo"];
            var options = new LoadTargetOptions(parseResult.GetValue(relayKey), parseResult.GetValue(wsSecret), parseResult.GetValue(cipher)!, parseResult.GetValue(backend)!);
            var results = new List<LoadRunResult>();
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
            try
            {
                foreach (var name in names)
                {
                    await using var lease = await LoadTargetFactory.CreateAsync(name, options, cancellationToken).ConfigureAwait(false);
                    await output.WriteLineAsync($"load {lease.Description}: {scenario.Connections} connections, {scenario.RatePerSecond} msgs/s, {scenario.MessageSize} B, {scenario.Duration.TotalSeconds}s after {scenario.Warmup.TotalSeconds}s warm-up").ConfigureAwait(false);
                    var view = new LoadProgressView(output, LoadProgressView.CanRunLive(output));
                    var runner = new OpenLoopRunner(scenario);
                    results.Add(await view.RunAsync(lease.Description, p => runner.RunAsync(lease.Target, p, cancellationToken)).ConfigureAwait(false));
                }
            }
            catch (LoadTargetException ex)
            {
                await error.WriteLineAsync($"perf load: {ex.Message}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            LoadSummaryTable.Write(console, results);
            return PerfCommandLine.Ok;
        });
        return command;
    }
}
