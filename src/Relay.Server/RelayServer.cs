using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Relay.Protocol.Routing;
using Relay.Server.Connections;
using Relay.Server.Limits;
using Relay.Server.Metrics;

namespace Relay.Server;

/// <summary>
/// The reference relay on Kestrel: a raw-TCP endpoint speaking Noise XX with a
/// <c>ConnectionHandler</c>, and a WebSocket gateway on its own port at <c>/ws</c> (with the
/// meters as Prometheus text at <c>/metrics</c>), both over the same router. Start it with <see cref="StartAsync"/>; dispose to stop gracefully (stop
/// accepting, let connections finish their flushes, close).
/// </summary>
public sealed class RelayServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RelayServer(WebApplication app, RelayState state, IPEndPoint tcp, IPEndPoint? webSocket)
    {
        _app = app;
        State = state;
        TcpEndPoint = tcp;
        WebSocketEndPoint = webSocket;
    }

    /// <summary>The bound TCP endpoint (the real port when asked for 0).</summary>
    public IPEndPoint TcpEndPoint { get; }

    /// <summary>The bound WebSocket endpoint, if any.</summary>
    public IPEndPoint? WebSocketEndPoint { get; }

    /// <summary>The router (for tests and metrics).</summary>
    public RelayRouter Router => State.Router;

    /// <summary>The relay's metrics.</summary>
    public RelayMetrics Metrics => State.Metrics;

    internal RelayState State { get; }

    /// <summary>The relay's Ed25519 key that signs sender certificates (derived from its static key).</summary>
    public ReadOnlySpan<byte> SenderCertificateKey => State.Metadata.Issuer.PublicKey;

    /// <summary>Writes what the audit log holds so far (tests read the file after this).</summary>
    public Task FlushAuditLogAsync() => State.Metadata.Audit?.FlushAsync() ?? Task.CompletedTask;

    /// <summary>Starts both listeners.</summary>
    /// <exception cref="ArgumentException">No static key, or a WebSocket endpoint without a secret of at least 16 bytes.</exception>
    public static async Task<RelayServer> StartAsync(RelayOptions options, ILoggerProvider? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.StaticKey is null)
        {
            throw new ArgumentException("the relay needs a static key pair", nameof(options));
        }

        if (options.WebSocketEndPoint is not null && options.WebSocketSecret is not { Length: >= 16 })
        {
            throw new ArgumentException("the WebSocket endpoint needs a secret of at least 16 bytes", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConnections, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDeliversInFlight, 1);
        CheckAbuseLimits(options);
        var router = new RelayRouter(options.Store ?? new MemoryMailboxStore(options.Mailbox));
        var state = new RelayState(options, router, new RelayMetrics(router));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            builder.Logging.AddProvider(logging);
        }

        if (options.ConsoleLog)
        {
            // One line per event; Kestrel's and ASP.NET's own per-request lines stay out.
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }

        builder.Services.AddSingleton(state);
        var exportMetrics = options.PrometheusMetrics && options.WebSocketEndPoint is not null;
        if (exportMetrics)
        {
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter([RelayMetrics.MeterName, "System.Runtime", .. options.ExportedMeters])
                .AddPrometheusExporter());
        }

        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = options.InlineScheduling);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBufferSize = options.MaxInputBufferBytes;
            kestrel.Limits.MaxResponseBufferSize = options.MaxOutputBufferBytes;
            // A WebSocket connection must finish its upgrade request within the handshake timeout,
            // and may not sit idle between HTTP requests longer either.
            kestrel.Limits.RequestHeadersTimeout = options.HandshakeTimeout;
            kestrel.Limits.KeepAliveTimeout = options.HandshakeTimeout;
            kestrel.Listen(options.TcpEndPoint, listen =>
            {
                listen.Use(ConnectionAdmission.Middleware(state, webSocketListener: false));
                if (options.TcpMiddleware is not null)
                {
                    listen.Use(options.TcpMiddleware);
                }

                listen.UseConnectionHandler<NoiseConnectionHandler>();
            });
            if (options.WebSocketEndPoint is not null)
            {
                kestrel.Listen(options.WebSocketEndPoint, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    listen.Use(ConnectionAdmission.Middleware(state, webSocketListener: true));
                });
            }
        });
        var app = builder.Build();
        state.StartCloseLog(app.Services.GetRequiredService<ILoggerFactory>());
        // Stopping: every connection applies what it already received, answers, and closes.
        app.Lifetime.ApplicationStopping.Register(state.Supervisor.BeginShutdown);
        app.Use((context, next) =>
        {
            // A whole request arrived: how it ends is logged where it is answered, not as an abandoned upgrade.
            context.Features.Get<HandshakeTicket>()?.RequestArrived();
            return next(context);
        });
        app.UseWebSockets();
        var wsLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Relay.Server.WebSocket");
        app.Map("/ws", (HttpContext context) => WebSocketEndpoint.HandleAsync(context, state, wsLogger));
        if (exportMetrics)
        {
            app.MapPrometheusScrapingEndpoint("/metrics"); // Prometheus text, for a fleet's scraper
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.ToList();
        var tcp = new IPEndPoint(options.TcpEndPoint.Address, new Uri(addresses[0]).Port);
        var ws = options.WebSocketEndPoint is null ? null : new IPEndPoint(options.WebSocketEndPoint.Address, new Uri(addresses[1]).Port);
        return new RelayServer(app, state, tcp, ws);
    }

    private static void CheckAbuseLimits(RelayOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.SendRatePerConnection);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SendBurstPerConnection, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.HandshakeRatePerSource);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HandshakeBurstPerSource, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.HandshakeBusyThreshold, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.BusyHandshakeTimeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxAnonymousConnectionsPerSource);
        ArgumentOutOfRangeException.ThrowIfNegative(options.SourcePrefixLengthIPv4);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.SourcePrefixLengthIPv4, 32);
        ArgumentOutOfRangeException.ThrowIfNegative(options.SourcePrefixLengthIPv6);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.SourcePrefixLengthIPv6, 128);
        ArgumentOutOfRangeException.ThrowIfNegative(options.CloseLogLinesPerSecond);
    }

    /// <summary>
    /// Stops accepting; every open connection applies the frames it already received, answers
    /// them, sends ERROR <c>ShuttingDown</c> and closes (within 5 s); then stops. A store passed in
    /// <see cref="RelayOptions.Store"/> is left to its owner.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        State.Supervisor.Dispose();
        if (State.Options.Store is null)
        {
            await State.Router.Store.DisposeAsync().ConfigureAwait(false); // the in-memory store this server made
        }

        State.Metrics.Dispose();
        await State.Metadata.DisposeAsync().ConfigureAwait(false);
    }
}
