using System.Net.Sockets;

namespace Perf.Load.Idle;

/// <summary>
/// How an idle client opens a connection to one kind of target until the target counts it as
/// an authenticated client, over a raw socket and nothing else: a held idle connection then
/// costs the generator one socket, so a hundred thousand of them fit beside the measured traffic.
/// </summary>
public abstract class IdleProtocol
{
    /// <summary>Runs the opening on a connected socket: done when the target has answered as for an authenticated client.</summary>
    /// <param name="socket">The connected socket.</param>
    /// <param name="client">The client's number: the same number is the same identity when it reconnects.</param>
    /// <param name="cancellationToken">Abandons the opening.</param>
    /// <returns>What the client must keep to send a keep-alive later (the Noise send key), or <c>null</c>.</returns>
    /// <exception cref="IdleConnectionException">The target refused or answered wrongly.</exception>
    public abstract Task<object?> OpenAsync(Socket socket, int client, CancellationToken cancellationToken);

    /// <summary>
    /// Sends one keep-alive (a PING), so that a target with an idle timeout keeps the connection, as
    /// real clients do; the answer is left unread. Best effort: a failed send shows as a closed connection.
    /// </summary>
    /// <param name="socket">The open socket.</param>
    /// <param name="state">What <see cref="OpenAsync"/> returned for this client.</param>
    public virtual void KeepAlive(Socket socket, object? state)
    {
    }

    /// <summary>Whether <see cref="KeepAlive"/> sends something the target answers (a PING its PONG).</summary>
    public virtual bool AnswersKeepAlive => false;

    /// <summary>Whether <see cref="SendHeldAsync"/> can leave messages with the target for recipients that are not connected.</summary>
    public virtual bool HoldsMessages => false;

    /// <summary>
    /// Sends one message of <paramref name="envelopeSize"/> opaque bytes to each of
    /// <paramref name="recipients"/> (who never connect, so the target holds them) and waits for
    /// every answer; returns how many the target accepted.
    /// </summary>
    /// <exception cref="NotSupportedException">The protocol cannot (<see cref="HoldsMessages"/> is false).</exception>
    /// <exception cref="IdleConnectionException">The target closed the connection or answered wrongly.</exception>
    public virtual Task<int> SendHeldAsync(Socket socket, object? state, IReadOnlyList<byte[]> recipients, int envelopeSize, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} cannot leave messages with its target");

    /// <summary>Receives exactly <paramref name="buffer"/>'s length.</summary>
    /// <exception cref="IdleConnectionException">The target closed the connection first.</exception>
    protected static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        while (buffer.Length > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IdleConnectionException("the target closed the connection during the opening");
            }

            buffer = buffer[read..];
        }
    }

    /// <summary>Sends all of <paramref name="data"/>.</summary>
    protected static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        while (data.Length > 0)
        {
            data = data[await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false)..];
        }
    }
}

/// <summary>An idle connection could not be opened; the message says what the target did.</summary>
public sealed class IdleConnectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public IdleConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public IdleConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
