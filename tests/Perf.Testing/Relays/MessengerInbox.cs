using System.Threading.Channels;
using Relay.Client;

namespace Perf.Testing.Relays;

/// <summary>A messenger's receive loop running in the background into a channel, so a test reads what arrived while sends (which need the loop for their answers) go on.</summary>
public static class MessengerInbox
{
    /// <summary>Starts <paramref name="messenger"/>'s <see cref="RelayMessenger.ReceiveAllAsync"/> until <paramref name="cancellationToken"/>; its messages go to the returned channel.</summary>
    public static ChannelReader<ReceivedMessage> Start(RelayMessenger messenger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messenger);
        var inbox = Channel.CreateUnbounded<ReceivedMessage>();
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in messenger.ReceiveAllAsync(cancellationToken))
                {
                    await inbox.Writer.WriteAsync(message, cancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                // the test is over
            }
            finally
            {
                inbox.Writer.TryComplete();
            }
        }, CancellationToken.None);
        return inbox.Reader;
    }
}
