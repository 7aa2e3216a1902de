using System.Collections.Concurrent;
using Relay.Client.Conversations;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Protocol.Frames;

namespace Relay.Client;

/// <summary>Conversations for <see cref="RelayMessenger"/>: the set-up, the responder's side, and what a <see cref="Conversation"/> borrows (sessions, requests, anonymous connections).</summary>
public sealed partial class RelayMessenger
{
    private readonly ConcurrentDictionary<Identity, Conversation> _conversations = new();

    /// <summary>The rotation policy of the conversations this messenger starts or accepts.</summary>
    public ConversationOptions ConversationOptions { get; init; } = ConversationOptions.Default;

    /// <summary>
    /// Starts a conversation with <paramref name="peer"/>: opens this side's first mailbox on a new
    /// anonymous connection, then sends the set-up (its ticket and <paramref name="firstMessage"/>)
    /// sealed to the peer's identity with the peer's delivery token — the one message of the
    /// conversation whose recipient the relay learns. The peer's ticket arrives on the mailbox
    /// shortly after; <see cref="Conversation.SendAsync"/> waits for it. Needs sealed sender enabled
    /// (<see cref="EnableSealedSenderAsync"/>: a certificate) and <see cref="ReceiveAllAsync"/> running.
    /// A conversation already kept with the peer is replaced.
    /// </summary>
    /// <exception cref="InvalidOperationException">The messenger was made without an anonymous connection factory.</exception>
    /// <exception cref="RelayClientException">The relay refused the mailbox or the set-up.</exception>
    public async Task<Conversation> StartConversationAsync(Identity peer, DeliveryToken peerToken, ReadOnlyMemory<byte> firstMessage, CancellationToken cancellationToken)
    {
        if (_connectAnonymous is null)
        {
            throw new InvalidOperationException("this messenger was created without connectAnonymous: conversations need anonymous connections");
        }

        ConversationOptions.Validate();
        var conversation = new Conversation(this, peer, ConversationOptions);
        try
        {
            var ticket = await conversation.OpenFirstAsync(cancellationToken).ConfigureAwait(false);
            var setup = await SendSealedAsync(peer, ConversationPlaintext.Setup(ticket, firstMessage.Span), peerToken, cancellationToken).ConfigureAwait(false);
            if (!setup.Accepted)
            {
                throw new RelayClientException($"the relay refused the conversation's set-up message ({setup.Reason})");
            }
        }
        catch
        {
            await conversation.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await KeepAsync(conversation).ConfigureAwait(false);
        return conversation;
    }

    /// <summary>The conversation kept with <paramref name="peer"/> (started by either side), or <c>null</c>.</summary>
    public Conversation? ConversationWith(Identity peer) => _conversations.GetValueOrDefault(peer);

    internal AeadAlgorithm Algorithm => _options.Algorithm;

    internal AeadBackend Backend => _options.Backend;

    /// <summary>Opens an anonymous connection with the messenger's factory.</summary>
    internal Task<RelayClientConnection> ConnectAnonymousAsync(CancellationToken cancellationToken) =>
        (_connectAnonymous ?? throw new InvalidOperationException("this messenger was created without connectAnonymous"))(cancellationToken);

    /// <summary>A fresh client id and the task its ACCEPTED or REJECTED completes.</summary>
    internal (ulong Id, Task<SendResult> Answer) NewRequest()
    {
        var id = (ulong)Interlocked.Increment(ref _nextClientId);
        var answer = new TaskCompletionSource<SendResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        return (id, answer.Task);
    }

    /// <summary>Completes the request <paramref name="id"/> (an answer that arrived on a conversation's connection).</summary>
    internal void CompleteRequest(ulong id, SendResult result) => Complete(id, result);

    /// <summary>E2E-seals <paramref name="plaintext"/> for <paramref name="peer"/> with this side's session (started on first use).</summary>
    internal byte[] SealFor(Identity peer, ReadOnlySpan<byte> plaintext) =>
        Seal(_outgoing.GetOrAdd(peer, p => E2eSession.Initiate(_identity, p.ToArray(), _options)), plaintext);

    /// <summary>
    /// Opens an E2E envelope from <paramref name="peer"/> (its session, or a new one its prekey
    /// header starts, accepted only when the header names the peer); <c>null</c> when it does not
    /// open. <paramref name="acknowledge"/>: opened, or a replay of one opened before.
    /// </summary>
    internal byte[]? OpenFrom(Identity peer, byte[] envelope, out bool acknowledge)
    {
        acknowledge = false;
        if (E2eEnvelope.TryReadHeader(envelope, out var header) != E2eError.None || FindSession(peer, envelope, header) is not { } session)
        {
            return null;
        }

        var plaintext = new byte[envelope.Length];
        E2eError error;
        int written;
        lock (session)
        {
            error = session.TryOpen(envelope, plaintext, out written);
        }

        acknowledge = error is E2eError.None or E2eError.Replay;
        return error == E2eError.None ? plaintext[..written] : null;
    }

    /// <summary>The reconnect policy's delay before attempt <paramref name="attempt"/>.</summary>
    internal TimeSpan ReconnectDelay(int attempt) => _reconnect.Delay(attempt);

    // A sealed message that is a conversation's set-up starts the responder's side: the message
    // is yielded with the set-up's application data and the conversation.
    private ReceivedMessage? AcceptConversation(ReceivedMessage? message)
    {
        if (message is null || _connectAnonymous is null || !ConversationPlaintext.TryReadSetup(message.Plaintext, out var ticket, out var data))
        {
            return message;
        }

        var conversation = new Conversation(this, message.Sender, ConversationOptions);
        conversation.Accept(ticket);
        _ = KeepAsync(conversation);
        return message with { Plaintext = data.ToArray(), Conversation = conversation };
    }

    private async Task KeepAsync(Conversation conversation)
    {
        Conversation? replaced = null;
        _conversations.AddOrUpdate(conversation.Peer, conversation, (_, old) =>
        {
            replaced = old;
            return conversation;
        });
        if (replaced is not null && !ReferenceEquals(replaced, conversation))
        {
            await replaced.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask DisposeConversationsAsync()
    {
        foreach (var conversation in _conversations.Values)
        {
            await conversation.DisposeAsync().ConfigureAwait(false);
        }
    }
}
