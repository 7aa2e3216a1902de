using System.CommandLine;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;

namespace Perf.Cli.Commands;

/// <summary><c>perf token --identity BASE64 --secret S [--ttl 1h]</c>: mints a WebSocket bearer token for load tests.</summary>
internal static class TokenCommand
{
    public static Command Create()
    {
        var identity = new Option<string>("--identity") { Description = "The identity's public key, base64 (32 bytes).", Required = true };
        var secret = new Option<string>("--secret") { Description = "The relay's --ws-secret.", Required = true };
        var ttl = new Option<string>("--ttl") { Description = "How long the token is valid: 30m, 1h, ...", DefaultValueFactory = _ => "1h" };
        var command = new Command("token", "Mint a WebSocket bearer token for an identity (load-test use).") { identity, secret, ttl };
        command.SetAction(async parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (!Identity.TryParse(parseResult.GetValue(identity), out var id))
            {
                await error.WriteLineAsync("perf token: --identity must be 32 bytes of base64 (an X25519 public key).").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var secretText = parseResult.GetValue(secret)!;
            if (Relay.TokenArguments.SecretProblem(secretText, "--secret") is { } problem)
            {
                await error.WriteLineAsync($"perf token: {problem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            if (!Relay.TokenArguments.TryParseLifetime(parseResult.GetValue(ttl), out var lifetime))
            {
                await error.WriteLineAsync("perf token: --ttl takes a positive time such as 30m or 1h.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            await output.WriteLineAsync(RelayToken.Mint(id, DateTimeOffset.UtcNow + lifetime, System.Text.Encoding.UTF8.GetBytes(secretText))).ConfigureAwait(false);
            return PerfCommandLine.Ok;
        });
        return command;
    }
}
