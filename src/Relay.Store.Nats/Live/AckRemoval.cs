using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Relay.Protocol.Routing;

namespace Relay.Store.Nats.Live;

/// <summary>
/// Removes acknowledged messages from the stream in batches rather than one API request per ACK
/// (half of JetStream's cost per message in the first design). Every message of a recipient below
/// the lowest one it still holds here is acknowledged, so one purge of its subject below that
/// sequence removes them all. nats-server 2.9 walks every stream sequence from the recipient's
/// oldest message to that point, so a recipient whose ACKed messages are far apart (few among
/// many others' messages) has them deleted one by one instead; so do ACKs that came out of order
/// above a message still unacknowledged, once the recipient leaves.
/// </summary>
internal sealed class AckRemoval(StreamRequests requests, MailboxSubjects subjects, MemoryMailboxStore cache, JetStreamMetrics metrics, ILogger logger, Action<LiveRecipient> queueAgain, CancellationToken stop)
{
    // A purge may walk this many stream sequences per message it removes, and this many in all
    // (it holds the store's lock meanwhile); past either, single deletes are cheaper.
    private const ulong ScanPerMessage = 64;
    private const ulong MaxScan = 4_096;

    /// <summary>Sends what is due for <paramref name="recipient"/>; <paramref name="final"/> when its last connection here left.</summary>
    public void Flush(LiveRecipient recipient, bool final)
    {
        var acked = new List<ulong>();
        var stragglers = new List<ulong>();
        var plan = recipient.Due(cache, final, acked, stragglers);
        if (plan.PurgeOwed || (acked.Count >= 2 && plan.RemovalPoint - Lowest(acked) <= Math.Min(MaxScan, (ulong)acked.Count * ScanPerMessage)))
        {
            _ = PurgeAsync(recipient, plan.RemovalPoint, acked.Count);
        }
        else
        {
            stragglers.AddRange(acked);
        }

        foreach (var sequence in stragglers)
        {
            _ = DeleteAsync(sequence);
        }
    }

    /// <summary>Deletes one acknowledged message (its recipient left before it could be batched).</summary>
    public Task DeleteAsync(ulong sequence) => RemoveAsync(() => requests.DeleteAsync(sequence, stop), 1, null);

    private Task PurgeAsync(LiveRecipient recipient, ulong below, int count) =>
        RemoveAsync(() => requests.PurgeAsync(subjects.Mailbox(recipient.Identity), below, stop), count, recipient);

    private async Task RemoveAsync(Func<Task> request, int count, LiveRecipient? purged)
    {
        metrics.RemovalStarted(count);
        var removed = false;
        try
        {
            await request().ConfigureAwait(false);
            removed = true;
        }
        catch (Exception ex) when (ex is NatsException or TimeoutException or OperationCanceledException)
        {
            // At least once: what stays is delivered again on a later connection, and clients de-duplicate by relay id.
            metrics.DeleteFailures.Add(count);
            if (purged?.PurgeFailed() == true)
            {
                queueAgain(purged);
            }

            logger.LogInformation("JetStream did not remove {Count} acknowledged message(s): {Reason}", count, ex.Message);
        }
        finally
        {
            metrics.RemovalEnded(count, removed);
        }
    }

    private static ulong Lowest(List<ulong> sequences)
    {
        var lowest = ulong.MaxValue;
        foreach (var sequence in sequences)
        {
            lowest = Math.Min(lowest, sequence);
        }

        return lowest;
    }
}

/// <summary>What a recipient owes the stream: remove its messages below <see cref="RemovalPoint"/>; a purge is owed when an earlier one failed.</summary>
internal readonly record struct RemovalPlan(ulong RemovalPoint, bool PurgeOwed);
