using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Perf.Cli.Load;
using Perf.Load.Hostile;
using Perf.Load.Processes;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf flood</c> (hidden): the hostile client of <c>perf load --handshake-flood</c> in a process
/// of its own, as a real attacker is another machine. It prints <see cref="HandshakeFloodProcess.ReadyLine"/>
/// once flooding, floods until a line (or the end) arrives on its input, then prints
/// <see cref="HandshakeFloodProcess.ResultPrefix"/> and its counts as JSON, with the CPU time it spent meanwhile.
/// </summary>
internal static class FloodCommand
{
    public static Command Create()
    {
        var target = new Option<string>("--target") { Description = "The relay's Noise/TCP HOST:PORT.", Required = true };
        var rate = new Option<double>("--rate") { Description = "New connections a second of each kind.", Required = true };
        var kind = new Option<string>("--kind") { Description = "both, garbage or abandoned.", DefaultValueFactory = _ => "both" };
        kind.AcceptOnlyFromAmong("both", "garbage", "abandoned");
        var command = new Command("flood", "Run a handshake flood until a line arrives on standard input (perf load --handshake-flood starts it).") { target, rate, kind };
        command.Hidden = true;
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (!EndpointText.TryParse(parseResult.GetValue(target), out var endPoint, out var problem))
            {
                await error.WriteLineAsync($"perf flood: {problem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var options = new HandshakeFloodOptions { Target = endPoint, RatePerSecond = parseResult.GetValue(rate), Kinds = Enum.Parse<HandshakeFloodKinds>(parseResult.GetValue(kind)!, ignoreCase: true) };
            if (options.Validate() is { } invalid)
            {
                await error.WriteLineAsync($"perf flood: {invalid}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            Perf.Load.Os.OpenFileLimit.RaiseToHardLimit();
            var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
            HandshakeFloodResult result;
            await using (var flood = HandshakeFlood.Start(options))
            {
                await output.WriteLineAsync(HandshakeFloodProcess.ReadyLine).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // SIGTERM: stop and report all the same.
                }

                result = await flood.StopAsync().ConfigureAwait(false);
            }

            result = result with { CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds };
            await output.WriteLineAsync(HandshakeFloodProcess.ResultPrefix + JsonSerializer.Serialize(result)).ConfigureAwait(false);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            return PerfCommandLine.Ok;
        });
        return command;
    }
}
