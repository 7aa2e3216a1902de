using System.CommandLine;
using System.Text;
using Perf.Cli.Load;
using Perf.Load.Targets;
using Perf.Load.K6;
using Perf.Load.Processes;
using Perf.Results;
using Perf.Results.Files;
using Perf.Vectors;

namespace Perf.Cli.K6;

/// <summary>
/// <c>perf k6 run [--relay URL --ws-secret S] [--users N] [--rate R] [--duration D] [--k6 PATH]</c>:
/// a smoke run of <c>loadtest/k6/relay-ws.js</c> under the real k6 binary (against a relay of its
/// own unless one is given), its exit code checked and its result file read back. Says plainly when
/// no k6 is installed: the Node tests check the script without one.
/// </summary>
internal static class K6RunCommand
{
    public static Command Create()
    {
        var relay = new Option<string?>("--relay") { Description = "A running relay's WebSocket gateway (ws://HOST:PORT/ws); default: start perf relay on loopback." };
        var secret = new Option<string?>("--ws-secret") { Description = "That relay's --ws-secret (with --relay)." };
        var users = new Option<int>("--users") { Description = "Identities, one k6 VU each.", DefaultValueFactory = _ => 4 };
        var rate = new Option<double>("--rate") { Description = "Messages per second, all VUs together.", DefaultValueFactory = _ => 100 };
        var duration = new Option<string>("--duration") { Description = "Measured time, passed as -e DURATION.", DefaultValueFactory = _ => "5s" };
        var k6 = new Option<string?>("--k6") { Description = "The k6 executable (default: k6 on the PATH)." };
        var command = new Command("run", "Smoke-run loadtest/k6/relay-ws.js under the real k6 binary and check its exit code and result file.") { relay, secret, users, rate, duration, k6 };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            var binary = parseResult.GetValue(k6) ?? K6Binary.Find(Environment.GetEnvironmentVariable("PATH"));
            if (binary is null || !File.Exists(binary))
            {
                await error.WriteLineAsync(binary is null
                    ? "perf k6 run: no k6 on the PATH: install k6 v1.6.0 or newer (https://grafana.com/docs/k6/latest/set-up/install-k6/) or give --k6 PATH; `cd loadtest/k6 && npm test` checks the script without k6"
                    : $"perf k6 run: --k6 {binary}: file not found").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var repository = VectorDirectory.FindRepoRoot() ?? Directory.GetCurrentDirectory();
            var script = Path.Combine(repository, "loadtest", "k6", "relay-ws.js");
            if (!File.Exists(script))
            {
                await error.WriteLineAsync($"perf k6 run: {script}: not found (run from the repository)").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            if (parseResult.GetValue(relay) is not null != parseResult.GetValue(secret) is not null)
            {
                await error.WriteLineAsync("perf k6 run: --relay and --ws-secret go together").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            return await RunAsync(binary, script, parseResult.GetValue(relay), parseResult.GetValue(secret), parseResult.GetValue(users), parseResult.GetValue(rate), parseResult.GetValue(duration)!, output, error, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(string k6, string script, string? relayUrl, string? secret, int users, double rate, string duration, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        RelayProcess? started = null;
        try
        {
            if (relayUrl is null)
            {
                started = await RelayProcess.StartAsync(PerfChildCommand.StartInfo(), "aesgcm", "auto", null, cancellationToken).ConfigureAwait(false);
                relayUrl = $"ws://{started.WebSocketEndPoint}/ws";
                secret = Encoding.UTF8.GetString(started.WebSocketSecret);
            }

            var folder = RunFolder.Create(ResultsLocation.Root(), "k6-run");
            var data = K6DataSetBuilder.Create(users, K6Pairing.Ring, Encoding.UTF8.GetBytes(secret!), DateTimeOffset.UtcNow.AddHours(1));
            var dataPath = Path.Combine(folder, "users.json");
            await File.WriteAllTextAsync(dataPath, data.ToJson(), cancellationToken).ConfigureAwait(false);
            var resultPath = Path.Combine(folder, RunFiles.ResultFileName);
            var settings = new Dictionary<string, string>
            {
                ["RELAY_URL"] = relayUrl,
                ["DATA"] = dataPath,
                ["RATE"] = rate.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["DURATION"] = duration,
                ["WARMUP"] = "1s",
                ["RESULT_OUT"] = resultPath,
            };
            var exit = await K6Binary.RunAsync(k6, script, settings, output, error, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"k6 exited {exit}: {K6Binary.Meaning(exit)}").ConfigureAwait(false);
            File.Delete(dataPath); // load-test secrets do not stay in a results folder
            if (exit is not (0 or 99))
            {
                return PerfCommandLine.BadInput;
            }

            var result = ResultFile.Read(resultPath);
            var m = result.Metrics;
            await output.WriteLineAsync($"result: {resultPath}: sent {m.Sent}, delivered {m.Delivered}, lost {m.Lost}, unsent {m.Unsent ?? 0}").ConfigureAwait(false);
            return exit == 0 ? PerfCommandLine.Ok : PerfCommandLine.Failed;
        }
        catch (Exception ex) when (ex is LoadTargetException or BadInputException or ArgumentException or IOException)
        {
            await error.WriteLineAsync($"perf k6 run: {ex.Message}").ConfigureAwait(false);
            return PerfCommandLine.BadInput;
        }
        finally
        {
            if (started is not null)
            {
                await started.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
