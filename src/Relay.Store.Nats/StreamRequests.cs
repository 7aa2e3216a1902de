using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Relay.Store.Nats;

/// <summary>
/// The JetStream API calls that remove acknowledged messages: a purge of a recipient's subject
/// below a sequence, or a delete of one message.
/// </summary>
internal sealed class StreamRequests(NatsJSContext js, string stream)
{
    private const int NoMessageFound = 10037;

    /// <summary>Removes every message on <paramref name="subject"/> below sequence <paramref name="below"/>.</summary>
    public async Task PurgeAsync(string subject, ulong below, CancellationToken cancellationToken) =>
        await js.PurgeStreamAsync(stream, new StreamPurgeRequest { Filter = subject, Seq = below }, cancellationToken).ConfigureAwait(false);

    /// <summary>Removes message <paramref name="sequence"/>; one already gone counts as removed.</summary>
    public async Task DeleteAsync(ulong sequence, CancellationToken cancellationToken)
    {
        try
        {
            await js.DeleteMessageAsync(stream, new StreamMsgDeleteRequest { Seq = sequence, NoErase = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException ex) when (ex.Error.ErrCode == NoMessageFound || ex.Error.Description?.Contains("no message found", StringComparison.OrdinalIgnoreCase) == true)
        {
            // Another node's connection of the same identity ACKed it, or it expired.
        }
    }
}
