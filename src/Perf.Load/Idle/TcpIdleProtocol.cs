using System.Net.Sockets;

namespace Perf.Load.Idle;

/// <summary>An idle client of the echo floor: one byte sent and echoed back proves the server is serving the connection.</summary>
public sealed class TcpIdleProtocol : IdleProtocol
{
    /// <inheritdoc />
    public override async Task<object?> OpenAsync(Socket socket, int client, CancellationToken cancellationToken)
    {
        var probe = new byte[] { 0x2A };
        await SendAllAsync(socket, probe, cancellationToken).ConfigureAwait(false);
        await ReceiveExactlyAsync(socket, probe, cancellationToken).ConfigureAwait(false);
        return null;
    }
}
