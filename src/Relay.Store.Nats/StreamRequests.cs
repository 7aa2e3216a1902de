using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Relay.Store.Nats;

/// <summary>
/// The JetStream API calls the store makes off the SEND path: reading a recipient's held
/// messages one at a time (the stream leader answers, so nothing it acknowledged is missed), and
/// removing acknowledged ones: a purge of the recipient's subject below a sequence, or a delete of
/// one message.
/// </summary>
internal sealed class StreamRequests(NatsJSContext js, string stream)
{
    private const int NoMessageFound = 10037;
    private readonly string _get = $"$JS.API.STREAM.MSG.GET.{stream}";

    /// <summary>The oldest message on <paramref name="subject"/> at or after <paramref name="from"/>, or <c>null</c> when there is none.</summary>
    /// <exception cref="NATS.Client.Core.NatsException">NATS or JetStream did not answer.</exception>
    public async Task<NATS.Client.JetStream.Models.StoredMessage?> NextAsync(string subject, ulong from, CancellationToken cancellationToken)
    {
        try
        {
            var response = await js.JSRequestResponseAsync<StreamMsgGetRequest, StreamMsgGetResponse>(
                _get, new StreamMsgGetRequest { Seq = Math.Max(1, from), NextBySubj = subject }, cancellationToken).ConfigureAwait(false);
            return response.Message;
        }
        catch (NatsJSApiException ex) when (ex.Error.ErrCode == NoMessageFound)
        {
            return null;
        }
    }

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
