using System.CommandLine;
using Perf.Cli.Load;
using Perf.Load.Targets.Echo;

namespace Perf.Cli.Commands;

/// <summary><c>perf echo --listen HOST:PORT</c>: runs the raw echo forwarder, the loopback floor, until Ctrl+C.</summary>
internal static class EchoCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "HOST:PORT to listen on (port 0 picks a free port).", DefaultValueFactory = _ => "127.0.0.1:7500" };
        var command = new Command("echo", "Run the raw TCP echo forwarder (no parsing, no crypto): the floor any relay is measured against.") { listen };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (!EndpointText.TryParse(parseResult.GetValue(listen), out var endPoint, out var problem))
            {
                await error.WriteLineAsync($"perf echo: {problem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            // Every connection is a descriptor: take what the hard limit allows (idle-connection runs hold many).
            Perf.Load.Os.OpenFileLimit.RaiseToHardLimit();
            EchoServer server;
            try
            {
                server = await EchoServer.StartAsync(endPoint, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                await error.WriteLineAsync($"perf echo: cannot listen on {endPoint}: {ex.Message}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            await using (server.ConfigureAwait(false))
            {
                await output.WriteLineAsync($"echo listening tcp={server.EndPoint}").ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C or SIGTERM: shut down below.
                }
            }

            return PerfCommandLine.Ok;
        });
        return command;
    }
}
