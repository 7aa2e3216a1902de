using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Perf.Load.Targets.Echo;

/// <summary>
/// The loopback floor: a Kestrel TCP server that writes every byte it reads back to the same
/// connection, with no parsing and no crypto. Whatever latency a run through it shows is the
/// cost of the generator, the sockets and Kestrel's pipes, below which no relay can go. Kestrel
/// runs it inline (<c>UnsafePreferInlineScheduling</c>: the copy runs on the socket's I/O thread,
/// no hop to the thread pool), which is safe for a copy that never blocks; in its own process
/// (<see cref="EchoProcess"/>) the runtime also completes socket operations inline.
/// </summary>
public sealed class EchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoServer(WebApplication app, IPEndPoint endPoint)
    {
        _app = app;
        EndPoint = endPoint;
    }

    /// <summary>The bound endpoint (the real port when asked for port 0).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Starts listening on <paramref name="endPoint"/> (port 0 picks a free port).</summary>
    public static async Task<EchoServer> StartAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(endPoint, listen => listen.UseConnectionHandler<EchoConnectionHandler>()));
        var app = builder.Build();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var bound = new IPEndPoint(endPoint.Address, new Uri(address).Port);
        return new EchoServer(app, bound);
    }

    /// <summary>Stops the server and closes its connections.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class EchoConnectionHandler : ConnectionHandler
    {
        public override async Task OnConnectedAsync(ConnectionContext connection)
        {
            try
            {
                await connection.Transport.Input.CopyToAsync(connection.Transport.Output, connection.ConnectionClosed).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ConnectionResetException)
            {
                // A client going away ends its echo; nothing else to do.
            }
        }
    }
}
