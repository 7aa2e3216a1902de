using System.CommandLine;
using Perf.Load.K6;
using Relay.Client;

namespace Perf.Cli.K6;

/// <summary>
/// <c>perf k6 peer --relay ws://HOST:PORT/ws --data FILE --user K [--count N]</c>: answers the
/// messages user K receives, so a k6 or Node client can check its bytes against the C# code.
/// </summary>
internal static class K6PeerCommand
{
    public static Command Create()
    {
        var relay = new Option<string>("--relay") { Description = "The relay's WebSocket URL, e.g. ws://127.0.0.1:7401/ws.", Required = true };
        var data = new Option<string>("--data") { Description = "The data file from perf k6 prepare.", Required = true };
        var user = new Option<int>("--user") { Description = "Which user of the data file to act as (index).", Required = true };
        var count = new Option<int>("--count") { Description = "Exit after answering this many messages (0: until stopped).", DefaultValueFactory = _ => 0 };
        var command = new Command("peer", "Act as one user of a k6 data file: open each message received and answer it over the same session.") { relay, data, user, count };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (!Uri.TryCreate(parseResult.GetValue(relay), UriKind.Absolute, out var uri) || (uri.Scheme != "ws" && uri.Scheme != "wss"))
            {
                await error.WriteLineAsync("perf k6 peer: --relay takes a ws:// or wss:// URL such as ws://127.0.0.1:7401/ws.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var answers = parseResult.GetValue(count);
            if (answers < 0)
            {
                await error.WriteLineAsync("perf k6 peer: --count must be 0 or more.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var path = parseResult.GetValue(data)!;
            K6DataFile file;
            try
            {
                file = K6DataFile.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
                await error.WriteLineAsync($"perf k6 peer: {path}: {ex.Message}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var index = parseResult.GetValue(user);
            if (index < 0 || index >= file.Users.Count)
            {
                await error.WriteLineAsync($"perf k6 peer: --user must be 0 to {file.Users.Count - 1}.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            try
            {
                await using var peer = await K6Peer.ConnectAsync(uri, file, index, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"peer ready user={index} identity={file.Users[index].Identity}").ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                var answered = await peer.AnswerAsync(answers, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"peer answered {answered}").ConfigureAwait(false);
                return answers == 0 || answered == answers ? PerfCommandLine.Ok : PerfCommandLine.Failed;
            }
            catch (Exception ex) when (ex is RelayClientException or FormatException)
            {
                await error.WriteLineAsync($"perf k6 peer: {ex.Message}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }
            catch (K6PeerException ex)
            {
                await error.WriteLineAsync($"perf k6 peer: {ex.Message}").ConfigureAwait(false);
                return PerfCommandLine.Failed;
            }
            catch (OperationCanceledException)
            {
                return PerfCommandLine.Ok;
            }
        });
        return command;
    }
}
