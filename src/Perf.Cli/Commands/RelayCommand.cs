using System.CommandLine;
using Perf.Cli.Options;
using Perf.Cli.Relay;
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
        // The options by concern, in --help order: a new option goes into its group.
        var arguments = new RelayArguments(
            Transport: new RelayTransportArguments(), // --tcp, --ws, --scheduling
            Cipher: new CipherArguments("Noise cipher: aesgcm (default, as WhatsApp) or chachapoly.", "AEAD backend: auto, sodium, openssl or libcrypto."), // --cipher, --backend
            Secrets: new RelaySecretArguments(),      // --key, --ws-secret
            Output: new RelayOutputArguments(),       // --metrics, --audit-log
            Limits: new RelayLimitArguments(),        // --mailbox-messages, --handshake-timeout, --idle-timeout, --max-connections, --max-in-flight, --max-age
            Abuse: new RelayAbuseArguments(),         // --send-rate, --send-burst, --handshake-rate, --handshake-burst, --busy-handshakes, --busy-handshake-timeout, --anonymous-per-source, --source-prefix-v4/-v6, --close-log-lines
            Store: new StoreArguments());             // --store, --store-replicas, --store-stream
        var command = new Command("relay", "Run the reference relay (Noise/TCP and WebSocket) until Ctrl+C.").WithOptions(arguments.Groups);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            if (!arguments.TryRead(parseResult, out var settings, out var problem))
            {
                await error.WriteLineAsync($"perf relay: {problem}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }

            if (settings!.InlineScheduling)
            {
                // Before the store or the relay opens a socket: the runtime reads it once.
                InlineSocketCompletions.Enable();
            }

            using (settings.Key)
            {
                return await RunWithStoreAsync(parseResult.InvocationConfiguration.Output, error, settings, cancellationToken).ConfigureAwait(false);
            }
        });
        return command;
    }

    // Connects the JetStream store when one is asked for (unreachable: one line, exit 2), runs the relay on it, closes it.
    private static async Task<int> RunWithStoreAsync(TextWriter output, TextWriter error, RelaySettings settings, CancellationToken cancellationToken)
    {
        JetStreamMailboxStore? store = null;
        if (settings.Store is not null)
        {
            try
            {
                store = await JetStreamMailboxStore.ConnectAsync(settings.Store, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (MailboxStoreException ex)
            {
                await error.WriteLineAsync($"perf relay: --store: {ex.Message}").ConfigureAwait(false);
                return PerfCommandLine.BadInput;
            }
        }

        try
        {
            var limits = settings.Limits;
            return await RunAsync(output, error, settings.Abuse.ApplyTo(new RelayOptions
            {
                TcpEndPoint = settings.TcpEndPoint,
                WebSocketEndPoint = settings.WebSocketEndPoint,
                Cipher = settings.Cipher.Algorithm,
                Backend = settings.Cipher.Backend,
                StaticKey = settings.Key,
                WebSocketSecret = System.Text.Encoding.UTF8.GetBytes(settings.WsSecret),
                Mailbox = limits.Mailbox,
                AuditLogPath = settings.AuditLog,
                Store = store,
                PrometheusMetrics = true,
                ExportedMeters = store is null ? [] : [JetStreamMetrics.MeterName],
                HandshakeTimeout = limits.HandshakeTimeout,
                IdleTimeout = limits.IdleTimeout,
                MaxConnections = limits.MaxConnections,
                MaxDeliversInFlight = limits.MaxInFlight,
                MaxMailboxLifetime = limits.MaxMailboxLifetime,
                DeliveryVerifierLifetime = limits.DeliveryVerifierLifetime,
                InlineScheduling = settings.InlineScheduling,
                ConsoleLog = true, // the close log (docs/relay.md), which nothing printed before
            }), settings.WsSecretGenerated ? settings.WsSecret : null, settings.Metrics, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }
        }
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
