using System.Buffers;
using NATS.Client.Core;

namespace Relay.Store.Nats.Requests;

/// <summary>
/// Sends a request whose body is in a pooled buffer: the buffer goes back to the pool once
/// NATS.Net has copied it (at once, unless its send buffer is full), and a publish NATS refuses
/// gives its slot up through <c>failed</c>.
/// </summary>
internal static class PooledPublish
{
    /// <summary>Publishes <paramref name="buffer"/>[..<paramref name="length"/>] to <paramref name="subject"/>, answered on <paramref name="slot"/>'s reply subject.</summary>
    public static void Send<T>(NatsConnection connection, string subject, byte[] buffer, int length, RequestSlot<T> slot, Action<RequestSlot<T>, Exception> failed) =>
        Send(connection, subject, buffer, length, slot, slot.ReplyTo, failed);

    /// <summary>As above, answered on <paramref name="replyTo"/>: the slot's reply subject when the request was queued (a later one belongs to a later use).</summary>
    public static void Send<T>(NatsConnection connection, string subject, byte[] buffer, int length, RequestSlot<T> slot, string replyTo, Action<RequestSlot<T>, Exception> failed)
    {
        ValueTask publish;
        try
        {
            publish = connection.PublishAsync<ReadOnlyMemory<byte>>(subject, buffer.AsMemory(0, length), replyTo: replyTo);
        }
        catch (Exception ex) when (IsPublishFailure(ex))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            failed(slot, ex);
            return;
        }

        if (publish.IsCompletedSuccessfully)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        else
        {
            _ = ReturnWhenSentAsync(publish, buffer, slot, failed);
        }
    }

    private static bool IsPublishFailure(Exception ex) => ex is NatsException or ObjectDisposedException or InvalidOperationException or OperationCanceledException;

    private static async Task ReturnWhenSentAsync<T>(ValueTask publish, byte[] buffer, RequestSlot<T> slot, Action<RequestSlot<T>, Exception> failed)
    {
        try
        {
            await publish.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsPublishFailure(ex))
        {
            failed(slot, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
