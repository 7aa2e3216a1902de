using System.Net.Sockets;
using System.Text;

namespace Perf.Load.Idle;

/// <summary>An idle NATS client: the server's INFO, the client's CONNECT and PING, the server's PONG (the NATS protocol's own handshake).</summary>
public sealed class NatsIdleProtocol : IdleProtocol
{
    private static readonly byte[] Connect = Encoding.ASCII.GetBytes("CONNECT {\"verbose\":false,\"pedantic\":false,\"name\":\"perf-idle\",\"lang\":\"raw\",\"version\":\"1\",\"protocol\":1}\r\nPING\r\n");

    /// <inheritdoc />
    public override async Task<object?> OpenAsync(Socket socket, int client, CancellationToken cancellationToken)
    {
        var info = await ReadLineAsync(socket, cancellationToken).ConfigureAwait(false);
        if (!info.StartsWith("INFO ", StringComparison.Ordinal))
        {
            throw new IdleConnectionException($"nats-server did not start with INFO: {info}");
        }

        await SendAllAsync(socket, Connect, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var line = await ReadLineAsync(socket, cancellationToken).ConfigureAwait(false);
            if (line == "PONG")
            {
                return null;
            }

            if (line.StartsWith("-ERR", StringComparison.Ordinal))
            {
                throw new IdleConnectionException($"nats-server refused the connection: {line}");
            }
        }
    }

    /// <inheritdoc />
    public override bool AnswersKeepAlive => true;

    /// <inheritdoc />
    public override void KeepAlive(Socket socket, object? state)
    {
        ArgumentNullException.ThrowIfNull(socket);
        socket.Send("PING\r\n"u8);
    }

    private static async Task<string> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (line.Length < 2 || line[^2] != '\r' || line[^1] != '\n')
        {
            await ReceiveExactlyAsync(socket, one, cancellationToken).ConfigureAwait(false);
            line.Append((char)one[0]);
            if (line.Length > 8192)
            {
                throw new IdleConnectionException("nats-server sent a line over 8 KiB");
            }
        }

        return line.ToString(0, line.Length - 2);
    }
}
