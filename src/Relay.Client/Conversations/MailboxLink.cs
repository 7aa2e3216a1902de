using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Relay.Client.Conversations;

/// <summary>
/// One of a conversation's own mailboxes and the anonymous connection it is opened on: the
/// connection receives the mailbox's messages and carries the conversation's sends (MAILBOX_SEND to
/// the peer's mailbox), so one conversation is one pseudonymous connection to the relay, unlinked to
/// the identity and to the owner's other conversations. Writes (sends, ACKs) take <see cref="WriteLock"/>.
/// </summary>
internal sealed class MailboxLink : IAsyncDisposable
{
    private MailboxLink(OwnedMailbox mailbox, RelayClientConnection connection)
    {
        Mailbox = mailbox;
        Connection = connection;
        OpenedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>The mailbox's secrets and address.</summary>
    public OwnedMailbox Mailbox { get; }

    /// <summary>The anonymous connection receiving on it (replaced when it drops).</summary>
    public RelayClientConnection Connection { get; set; }

    /// <summary>When it was opened.</summary>
    public DateTimeOffset OpenedAt { get; }

    /// <summary>Messages that arrived on it.</summary>
    public int Received;

    /// <summary>Serialises writes on <see cref="Connection"/>.</summary>
    public SemaphoreSlim WriteLock { get; } = new(1, 1);

    /// <summary>Cancels the reader when the link is retired or the conversation ends.</summary>
    public CancellationTokenSource Stop { get; } = new();

    /// <summary>Its receive loop.</summary>
    public Task? Reader { get; set; }

    /// <summary>Opens a fresh mailbox expiring after <paramref name="lifetime"/> on a fresh anonymous connection.</summary>
    /// <exception cref="RelayClientException">The connection failed or the relay refused the mailbox.</exception>
    public static async Task<MailboxLink> OpenAsync(Func<CancellationToken, Task<RelayClientConnection>> connectAnonymous, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow + lifetime);
        try
        {
            return new MailboxLink(mailbox, await OpenOnNewConnectionAsync(connectAnonymous, mailbox, cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            mailbox.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A fresh anonymous connection on which <paramref name="mailbox"/> is open: OPEN_MAILBOX, then
    /// its answer (which comes before any DELIVER). Used to open and to reopen after a drop.
    /// </summary>
    /// <exception cref="RelayClientException">The connection failed or the relay refused the mailbox.</exception>
    public static async Task<RelayClientConnection> OpenOnNewConnectionAsync(Func<CancellationToken, Task<RelayClientConnection>> connectAnonymous, OwnedMailbox mailbox, CancellationToken cancellationToken)
    {
        var connection = await connectAnonymous(cancellationToken).ConfigureAwait(false);
        try
        {
            const ulong openId = ulong.MaxValue;
            connection.OpenMailbox(openId, mailbox.Credential, mailbox.SendVerifier, mailbox.Expiry);
            await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            while (true)
            {
                var frame = await connection.ReadAsync(timeout.Token).ConfigureAwait(false)
                    ?? throw new RelayClientException("the relay closed the connection while opening a conversation mailbox");
                if (frame.ClientMessageId != openId)
                {
                    continue;
                }

                if (frame.Type == FrameType.Accepted)
                {
                    return connection;
                }

                if (frame.Type == FrameType.Rejected)
                {
                    throw new RelayClientException($"the relay refused to open the conversation mailbox ({(RejectReason)frame.Code})");
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new RelayClientException("the relay did not answer OPEN_MAILBOX within 10 s: does it support conversation mailboxes?");
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the reader, closes the connection, wipes the mailbox's secrets.</summary>
    public async ValueTask DisposeAsync()
    {
        await Stop.CancelAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
        if (Reader is { } reader)
        {
            await reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        Mailbox.Dispose();
        WriteLock.Dispose();
        Stop.Dispose();
    }
}
