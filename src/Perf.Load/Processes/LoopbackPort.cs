using System.Net;
using System.Net.Sockets;

namespace Perf.Load.Processes;

/// <summary>Loopback ports for children that take a port number rather than printing the one they bound.</summary>
public static class LoopbackPort
{
    /// <summary>A loopback port free right now (another process may take it before the child binds it; rare on loopback).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether a TCP connect to the loopback <paramref name="port"/> succeeds: a readiness probe.</summary>
    public static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
