using System.CommandLine;
using System.Text;
using Perf.Cli.Relay;
using Perf.Load.K6;

namespace Perf.Cli.K6;

/// <summary>
/// <c>perf k6 prepare --users N --ws-secret S [--pairs ring|pairs] [--ttl 24h] [--out FILE]</c>:
/// writes identities, tokens and established E2E sessions for <c>loadtest/k6/relay-ws.js</c>.
/// </summary>
internal static class K6PrepareCommand
{
    /// <summary>Where the data goes by default: a git-ignored folder beside the scripts.</summary>
    public const string DefaultOut = "loadtest/k6/data/users.json";

    public static Command Create()
    {
        var users = new Option<int>("--users") { Description = "Identities to create (one per k6 VU).", Required = true };
        var pairs = new Option<string>("--pairs") { Description = "Who sends to whom: ring (i sends to i+1, as perf load) or pairs (0<->1, 2<->3, ...).", DefaultValueFactory = _ => "ring" };
        var secret = new Option<string>("--ws-secret") { Description = "The relay's --ws-secret (tokens are signed with it).", Required = true };
        var ttl = new Option<string>("--ttl") { Description = "How long the tokens stay valid: 30m, 24h, ...", DefaultValueFactory = _ => "24h" };
        var output = new Option<string>("--out") { Description = "The data file to write (load-test secrets: keep it out of git).", DefaultValueFactory = _ => DefaultOut };
        var command = new Command("prepare", "Write identities, WebSocket tokens and established E2E session states for the k6 script.") { users, pairs, secret, ttl, output };
        command.SetAction(async parseResult =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            if (!K6PairingNames.TryParse(parseResult.GetValue(pairs), out var pairing))
            {
                await error.WriteLineAsync("perf k6 prepare: --pairs takes ring or pairs.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var secretText = parseResult.GetValue(secret)!;
            if (TokenArguments.SecretProblem(secretText, "--ws-secret") is { } problem)
            {
                await error.WriteLineAsync($"perf k6 prepare: {problem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            if (!TokenArguments.TryParseLifetime(parseResult.GetValue(ttl), out var lifetime))
            {
                await error.WriteLineAsync("perf k6 prepare: --ttl takes a positive time such as 30m or 24h.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            K6DataFile data;
            try
            {
                data = K6DataSetBuilder.Create(parseResult.GetValue(users), pairing, Encoding.UTF8.GetBytes(secretText), DateTimeOffset.UtcNow + lifetime);
            }
            catch (ArgumentException ex)
            {
                await error.WriteLineAsync($"perf k6 prepare: {ex.Message.Split(" (Parameter", 2)[0]}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var path = parseResult.GetValue(output)!;
            try
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(path));
                if (folder is not null)
                {
                    Directory.CreateDirectory(folder);
                }

                await File.WriteAllTextAsync(path, data.ToJson()).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"perf k6 prepare: {path}: cannot write: {ex.Message}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            await parseResult.InvocationConfiguration.Output.WriteLineAsync(
                $"wrote {data.Users.Count} users ({data.Pairs}, {data.Algorithm}) to {path}; tokens valid until {data.TokenExpiresAt:u}. The file holds load-test secrets: keep it out of git.").ConfigureAwait(false);
            return PerfCommandLine.Ok;
        });
        return command;
    }
}
