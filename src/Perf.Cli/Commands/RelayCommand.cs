using System.CommandLine;
using System.Security.Cryptography;
using Perf.Cli.Load;
using Perf.Cli.Relay;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Routing;
using Relay.Server;
using Relay.Store.Nats;

namespace Perf.Cli.Commands;

/// <summary>
/// <c>perf relay</c>: runs the reference relay in the foreground until Ctrl+C or SIGTERM, then
/// shuts down gracefully. Once both listeners are up it prints one line scripts wait for:
/// <c>relay listening tcp=HOST:PORT ws=HOST:PORT key=BASE64</c>.
/// </summary>
internal static class RelayCommand
{
    public static Command Create()
    {
        var tcp = new Option<string>("--tcp") { Description = "HOST:PORT of the Noise/TCP endpoint (port 0 picks a free port).", DefaultValueFactory = _ => "127.0.0.1:7400" };
        var ws = new Option<string>("--ws") { Description = "HOST:PORT of the WebSocket gateway (path /ws).", DefaultValueFactory = _ => "127.0.0.1:7401" };
        var cipher = new Option<string>("--cipher") { Description = "Noise cipher: aesgcm (default, as WhatsApp) or chachapoly.", DefaultValueFactory = _ => "aesgcm" };
        cipher.AcceptOnlyFromAmong("aesgcm", "chachapoly");
        var backend = new Option<string>("--backend") { Description = "AEAD backend: auto, sodium, openssl or libcrypto.", DefaultValueFactory = _ => "auto" };
        backend.AcceptOnlyFromAmong("auto", "sodium", "openssl", "libcrypto");
        var key = new Option<string?>("--key") { Description = "File with the relay's private key (base64); created when absent. Default: a fresh key each start." };
        var secret = new Option<string?>("--ws-secret") { Description = "Secret that signs WebSocket tokens (at least 16 characters). Default: generated and printed." };
        var metrics = new Option<bool>("--metrics") { Description = "Print a one-line metrics summary every second." };
        var mailbox = new Option<int>("--mailbox-messages") { Description = "Messages held per identity before SENDs are rejected.", DefaultValueFactory = _ => 10_000 };
        var scheduling = new Option<string>("--scheduling") { Description = "Where connection code runs: inline (default: on the thread that completed the socket read) or thread-pool.", DefaultValueFactory = _ => "inline" };
        var auditLog = new Option<string?>("--audit-log") { Description = "Append one JSON line per accepted SEND/SEALED_SEND to this file: the relay's view of metadata (no secrets)." };
        var limitArguments = new RelayLimitArguments();
        var storeArguments = new StoreArguments();
        var command = new Command("relay", "Run the reference relay (Noise/TCP and WebSocket) until Ctrl+C.") { tcp, ws, cipher, backend, key, secret, metrics, mailbox, auditLog, scheduling };
        foreach (var option in limitArguments.All.Concat(storeArguments.All))
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            if (!EndpointText.TryParse(parseResult.GetValue(tcp), out var tcpEndPoint, out var problem) || !EndpointText.TryParse(parseResult.GetValue(ws), out var wsEndPoint, out problem))
            {
                await error.WriteLineAsync($"perf relay: {problem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            if (!TryParseScheduling(parseResult.GetValue(scheduling)!, out var inline))
            {
                await error.WriteLineAsync($"perf relay: --scheduling must be inline or thread-pool, not '{parseResult.GetValue(scheduling)}'.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            if (inline)
            {
                InlineSocketCompletions.Enable();
            }

            var secretText = parseResult.GetValue(secret);
            if (secretText is not null && secretText.Length < Relay.TokenArguments.MinSecretLength)
            {
                await error.WriteLineAsync("perf relay: --ws-secret must be at least 16 characters.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            if (parseResult.GetValue(mailbox) < 1)
            {
                await error.WriteLineAsync("perf relay: --mailbox-messages must be at least 1.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var aead = AeadAlgorithm.Parse(parseResult.GetValue(cipher)!);
            var aeadBackend = AeadBackend.Parse(parseResult.GetValue(backend)!);
            if (!aeadBackend.IsSupported(aead, out var unsupported))
            {
                await error.WriteLineAsync($"perf relay: --backend {aeadBackend.Name} cannot run {aead.Name} on this machine: {unsupported}.").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            if (parseResult.GetValue(auditLog) is { } auditPath && !Relay.AuditLogFile.CanAppend(auditPath, out var auditProblem))
            {
                await error.WriteLineAsync($"perf relay: --audit-log: {auditProblem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            if (!limitArguments.TryRead(parseResult, out var limits, out problem))
            {
                await error.WriteLineAsync($"perf relay: {problem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var mailboxLimits = new MailboxLimits { MaxMessages = parseResult.GetValue(mailbox), MaxAge = limits.MaxAge };
            if (!storeArguments.TryRead(parseResult, mailboxLimits, out var storeOptions, out problem))
            {
                await error.WriteLineAsync($"perf relay: {problem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            X25519KeyPair staticKey;
            try
            {
                var keyPath = parseResult.GetValue(key);
                staticKey = keyPath is null ? X25519KeyPair.Generate() : RelayKeyFile.LoadOrCreate(keyPath, out _);
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"perf relay: --key: {ex.Message}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            var generatedSecret = secretText is null;
            secretText ??= Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
            using (staticKey)
            {
                JetStreamMailboxStore? store = null;
                if (storeOptions is not null)
                {
                    try
                    {
                        store = await JetStreamMailboxStore.ConnectAsync(storeOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }
                    catch (MailboxStoreException ex)
                    {
                        await error.WriteLineAsync($"perf relay: --store: {ex.Message}").ConfigureAwait(false);
                        return PerfCommandLine.BadInput;
                    }
                }

                try
                {
                    return await RunAsync(output, error, limits.ApplyTo(new RelayOptions
                    {
                        TcpEndPoint = tcpEndPoint,
                        WebSocketEndPoint = wsEndPoint,
                        Cipher = aead,
                        Backend = aeadBackend,
                        StaticKey = staticKey,
                        WebSocketSecret = System.Text.Encoding.UTF8.GetBytes(secretText),
                        Mailbox = mailboxLimits,
                        AuditLogPath = parseResult.GetValue(auditLog),
                        Store = store,
                        PrometheusMetrics = true,
                        ExportedMeters = store is null ? [] : [JetStreamMetrics.MeterName],
                        InlineScheduling = inline,
                        ConsoleLog = true, // the close log, which nothing printed before
                    }), generatedSecret ? secretText : null, parseResult.GetValue(metrics), cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    if (store is not null)
                    {
                        await store.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
        });
        return command;
    }

    private static bool TryParseScheduling(string text, out bool inline)
    {
        inline = text == "inline";
        return inline || text == "thread-pool";
    }

    // Runs the relay until cancelled; prints the listening line scripts wait for.
    private static async Task<int> RunAsync(TextWriter output, TextWriter error, RelayOptions options, string? generatedSecret, bool metrics, CancellationToken cancellationToken)
    {
        RelayServer server;
        try
        {
            server = await RelayServer.StartAsync(options, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await error.WriteLineAsync($"perf relay: cannot listen: {ex.Message}").ConfigureAwait(false);
            return PerfCommandLine.BadInput;
        }

        await using (server.ConfigureAwait(false))
        {
            if (generatedSecret is not null)
            {
                await output.WriteLineAsync($"relay ws-secret={generatedSecret} (generated; a load-test secret: pass it to perf token / perf load --ws-secret)").ConfigureAwait(false);
            }

            var store = options.Store is null ? "memory" : "jetstream";
            await output.WriteLineAsync($"relay listening tcp={server.TcpEndPoint} ws={server.WebSocketEndPoint} key={Convert.ToBase64String(options.StaticKey!.PublicKey)} store={store}").ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            using var printer = metrics ? new MetricsPrinter(output) : null;
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                await output.WriteLineAsync("relay stopping").ConfigureAwait(false);
            }
        }

        return PerfCommandLine.Ok;
    }
}
