using System.Collections.Concurrent;
using System.Net;
using Perf.Load.Targets;
using Perf.Results.Metadata;
using Relay.Client;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Perf.Load.Metadata;

/// <summary>
/// A small chat network on one relay, for the metadata measurement, as a load target that
/// <see cref="Engine.OpenLoopRunner"/> drives like any other: <see cref="MetadataWorkloadOptions.Users"/>
/// users on a ring, each one of the run's connections, each talking with its two neighbours (E2E
/// sessions established beforehand). The schedule (Poisson) starts conversations: at each of its
/// arrivals the user sends a text to a random contact (or, in the cover mode, a cover message, in
/// proportion to the cover rate). Each delivered text is acknowledged by a delivery receipt (as
/// Signal and WhatsApp clients do, sealed like everything else: the rhythm Martiny et al.
/// exploited) and answered, with probability <see cref="MetadataWorkloadOptions.ReplyProbability"/>,
/// after an exponential think time: these are the recipient's follow-ups
/// (<see cref="IFollowUpConnection"/>), which the scheduler sends at their time. Text sizes come from
/// a <see cref="MessageSizeDistribution"/>; a receipt is 24 bytes (the header and the receipted
/// message's timestamp). In sealed modes every user sends over one long-lived anonymous connection
/// (as Signal clients keep one unidentified socket) and receives on its authenticated one. In
/// conversation modes every pair has two conversation mailboxes (one per side), each opened by its
/// owner on its own anonymous connection, on which the owner also sends to the peer's mailbox
/// (MAILBOX_SEND) and ACKs what it receives; a pair's first message is its set-up, sealed to the
/// peer's identity over the sender's anonymous connection with the sender's mailbox ticket inside
/// (the only messages whose recipient the relay learns). Seal, open, forwarding and end-to-end times
/// go to the run's recorders; the target keeps the ground truth (who really sent each accepted
/// message) for scoring what the relay's audit log reveals.
/// </summary>
public sealed partial class MetadataTarget : ILoadTarget
{
    // Per-sequence facts for the answers and the recipient (the ring of the run's sequence numbers).
    private const int RingBits = 20;
    private const int RingMask = (1 << RingBits) - 1;
    private const int ReceiptSize = LoadPayload.HeaderSize + 8;

    // Room for any envelope the relay takes and any layer this side adds or removes.
    private const int BufferBytes = 66 * 1024;

    private readonly EndPoint _relay;
    private readonly RelayClientOptions _clientOptions;
    private readonly MetadataWorkloadOptions _options;
    private readonly MetadataMode _mode;
    private readonly User[] _users;
    private readonly Random _random;
    private readonly SealedSenderEnvelope _sealer;
    private readonly ConversationEnvelope _conversationSealer;
    private readonly MessageKind[] _kinds = new MessageKind[1 << RingBits];
    private readonly int[] _senders = new int[1 << RingBits];
    private readonly int[] _recipients = new int[1 << RingBits];
    private readonly int[] _sizes = new int[1 << RingBits];
    private readonly bool[] _measured = new bool[1 << RingBits];
    private readonly bool[] _pairSetUp;

    // The scheduling thread's buffers for one message: its plaintext, its E2E envelope, and the outer layer (sealed or conversation).
    private readonly byte[] _plaintext = new byte[MessageSizeDistribution.MaxSize];
    private readonly byte[] _envelope = new byte[BufferBytes];
    private readonly byte[] _outer = new byte[BufferBytes];

    // The share of the schedule's arrivals that are cover messages (two Poisson processes merged, each arrival one or the other in proportion to its rate).
    private readonly double _coverShare;
    private readonly ConcurrentBag<SentMessage> _accepted = [];
    private readonly List<Task> _readers = [];
    private readonly object _readersLock = new();
    private LoadTargetContext? _context;
    private long _written;
    private long _answered;
    private long _delivered;
    private long _acceptedCover;
    private long _setups;

    /// <summary>A target for <paramref name="mode"/> against the relay at <paramref name="relay"/> (its static key pinned).</summary>
    public MetadataTarget(EndPoint relay, byte[] relayKey, MetadataMode mode, MetadataWorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mode);
        options.Validate();
        _relay = relay;
        _clientOptions = new RelayClientOptions { Cipher = AeadAlgorithm.Aes256Gcm, Backend = AeadBackend.Auto, RelayKey = relayKey };
        _options = options;
        _mode = mode;
        _random = new Random(options.Seed);
        _sealer = new SealedSenderEnvelope(AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);
        _conversationSealer = new ConversationEnvelope(AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);
        _users = new User[options.Users];
        _pairSetUp = new bool[options.Users];
        _coverShare = mode.CoverTraffic ? options.CoverRate / (InitiationRate(options) + options.CoverRate) : 0;
        var e2e = new E2eSessionOptions { Algorithm = AeadAlgorithm.Aes256Gcm, Backend = AeadBackend.Auto, Padding = mode.Padding };
        for (var i = 0; i < _users.Length; i++)
        {
            _users[i] = new User(i, X25519KeyPair.Generate(), DeliveryTokens.NewSecret());
        }

        // Pair (i, i+1): i initiates; both ends are established in memory, so measured messages carry steady-state headers.
        for (var i = 0; i < _users.Length; i++)
        {
            var next = _users[(i + 1) % _users.Length];
            var initiator = E2eSession.Initiate(_users[i].Key, next.Key.PublicKey, e2e);
            _users[i].Sessions[next.Index] = initiator;
            next.Sessions[i] = E2eSessionSetup.Establish(initiator, next.Key, e2e);
        }
    }

    /// <summary>The schedule that drives <paramref name="mode"/>: one connection per user, Poisson starts of conversations (texts that are not replies) and, in the cover mode, cover messages, over the warm-up and the measured time.</summary>
    public static LoadScenario Scenario(MetadataWorkloadOptions options, MetadataMode mode)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mode);
        return new LoadScenario
        {
            Connections = options.Users,
            RatePerSecond = InitiationRate(options) + (mode.CoverTraffic ? options.CoverRate : 0),
            MessageSize = Math.Clamp(options.Sizes.Mean(), LoadScenario.MinMessageSize, LoadScenario.MaxMessageSize),
            Duration = options.Duration,
            Warmup = options.Warmup,
            Arrival = ArrivalProcess.Poisson,
            Seed = options.Seed,
        };
    }

    // Every text brings a receipt, and texts are initiations and their chains of replies.
    private static double InitiationRate(MetadataWorkloadOptions options) => options.Rate / 2 * (1 - options.ReplyProbability);

    /// <inheritdoc />
    public string Name => "relay-tcp";

    /// <inheritdoc />
    public LoadStages Stages => LoadStages.Seal | LoadStages.Open;

    /// <summary>Each user's identity public key, by index (to read the audit log's base64 identities).</summary>
    public IReadOnlyList<byte[]> Identities => Array.ConvertAll(_users, u => u.Key.PublicKey.ToArray());

    /// <summary>Each user's contacts, by index (the attacks' answer key).</summary>
    public IReadOnlyList<int[]> Contacts => Array.ConvertAll(_users, u => u.Contacts(_users.Length));

    /// <summary>Every accepted message with its true sender, by relay id: the warm-up's too, cover messages not (call after <see cref="WaitForAnswersAsync"/>).</summary>
    public IReadOnlyList<SentMessage> Accepted => [.. _accepted.OrderBy(m => m.RelayMessageId)];

    /// <summary>Cover messages the relay accepted (not in <see cref="Accepted"/>, but in the audit log).</summary>
    public long AcceptedCover => Interlocked.Read(ref _acceptedCover);

    /// <summary>Messages the recipients opened over the whole run, warm-up included.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Conversation set-up messages sent (sealed, to the peer's identity): one per pair that talked.</summary>
    public long Setups => Interlocked.Read(ref _setups);

    /// <summary>Connects every user (and, in sealed and conversation modes, sets up sealed sender; in conversation modes, opens the mailboxes) and starts the receive loops.</summary>
    /// <exception cref="LoadTargetException">The relay is unreachable or refused.</exception>
    public async Task<IReadOnlyList<ILoadConnection>> ConnectAsync(LoadTargetContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Connections != _users.Length)
        {
            throw new ArgumentException($"the metadata workload has one connection per user ({_users.Length}); the scenario asked for {context.Connections}", nameof(context));
        }

        _context = context;
        try
        {
            await ConnectUsersAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RelayClientException ex)
        {
            throw new LoadTargetException(ex.Message, ex);
        }

        var connections = new ILoadConnection[_users.Length];
        foreach (var user in _users)
        {
            StartReader(user, user.Authenticated!, user.Acks, null);
            if (user.Anonymous is { } anonymous)
            {
                // Sealed sending only: answers come here, DELIVERs (and so ACKs) on the authenticated one.
                StartReader(user, anonymous, null, null);
            }

            foreach (var side in user.Mailboxes.Values)
            {
                StartReader(user, side.Connection, side.Acks, side);
            }

            user.Client = new Client(this, user);
            connections[user.Index] = user.Client;
        }

        return connections;
    }

    private async Task ConnectUsersAsync(CancellationToken cancellationToken)
    {
        var sealedSetUp = _mode.SealedSender || _mode.Conversations;
        foreach (var user in _users)
        {
            user.Authenticated = await RelayClientConnection.ConnectTcpAsync(_relay, user.Key, _clientOptions, cancellationToken).ConfigureAwait(false);
            if (sealedSetUp)
            {
                await EnableSealedSenderAsync(user, cancellationToken).ConfigureAwait(false);
            }

            if (_mode.SealedSender)
            {
                user.Anonymous = await RelayClientConnection.ConnectAnonymousTcpAsync(_relay, _clientOptions, cancellationToken).ConfigureAwait(false);
            }
        }

        if (_mode.Conversations)
        {
            await OpenMailboxesAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // The delivery-token verifier registered, a certificate and the relay's signing key taken, over the authenticated connection.
    private static async Task EnableSealedSenderAsync(User user, CancellationToken cancellationToken)
    {
        var token = new byte[DeliveryTokens.TokenSize];
        DeliveryTokens.DeriveToken(user.DeliverySecret, user.Key.PublicKey, token);
        user.Token = new DeliveryToken(token);
        var verifier = new byte[DeliveryTokens.VerifierSize];
        DeliveryTokens.ComputeVerifier(token, verifier);
        var (certificate, signingKey) = await SealedSenderSetup.EnableAsync(user.Authenticated!, verifier, cancellationToken).ConfigureAwait(false);
        user.Certificate = certificate;
        user.Opener = new SealedSenderOpener(user.Key, signingKey, AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);
    }

    // Every conversation's two mailboxes, and each user's anonymous connection for its set-ups.
    // They open after every identity's connection, in a shuffled order, so connection times do not
    // pair a mailbox (or a set-up's connection) with its owner (the connection-time attack tries
    // exactly that). The tickets are known to both sides here, as the E2E sessions are: each pair's
    // set-up message still carries the initiator's through the relay (its first message), so the
    // relay logs one message to an identity per pair; the responder's own ticket, which a client
    // sends back in its first mailbox message, is not sent (its recipient is a mailbox all the same).
    private async Task OpenMailboxesAsync(CancellationToken cancellationToken)
    {
        var sides = new List<(User User, int Contact)>();
        foreach (var user in _users)
        {
            sides.Add((user, -1)); // the set-up connection
            foreach (var contact in user.Contacts(_users.Length))
            {
                sides.Add((user, contact));
            }
        }

        var order = sides.ToArray();
        _random.Shuffle(order);
        foreach (var (user, contact) in order)
        {
            var connection = await RelayClientConnection.ConnectAnonymousTcpAsync(_relay, _clientOptions, cancellationToken).ConfigureAwait(false);
            if (contact < 0)
            {
                user.Anonymous = connection;
                continue;
            }

            var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
            user.Mailboxes[contact] = new MailboxSide(contact, mailbox, connection, new ConversationEnvelope(AeadAlgorithm.Aes256Gcm, AeadBackend.Auto));
            connection.OpenMailbox(0, mailbox.Credential, mailbox.SendVerifier, mailbox.Expiry);
            await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (await connection.ReadAsync(cancellationToken).ConfigureAwait(false) is not { Type: FrameType.Accepted })
            {
                throw new RelayClientException("the relay did not open a conversation mailbox");
            }
        }

        foreach (var (user, contact) in sides)
        {
            if (contact >= 0)
            {
                user.Mailboxes[contact].Peer = PeerMailbox.From(_users[contact].Mailboxes[user.Index].Mailbox.Ticket());
            }
        }
    }

    private void StartReader(User user, RelayClientConnection connection, ConcurrentQueue<ulong>? acks, MailboxSide? side)
    {
        lock (_readersLock)
        {
            _readers.Add(Task.Run(() => ReceiveAsync(user, connection, acks, side), CancellationToken.None));
        }
    }

    /// <summary>Waits (up to 5 s) until the relay has answered every message written, so <see cref="Accepted"/> is complete.</summary>
    public async Task WaitForAnswersAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (Interlocked.Read(ref _answered) < Interlocked.Read(ref _written) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Closes every connection and wipes the keys.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var user in _users)
        {
            foreach (var connection in (RelayClientConnection?[])[user.Authenticated, user.Anonymous, user.Retired])
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }

            foreach (var side in user.Mailboxes.Values)
            {
                await side.Connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        Task[] readers;
        lock (_readersLock)
        {
            readers = [.. _readers];
        }

        try
        {
            await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or RelayClientException or OperationCanceledException or ObjectDisposedException)
        {
            // the loops end with their connections
        }

        foreach (var user in _users)
        {
            user.Dispose();
        }

        _sealer.Dispose();
        _conversationSealer.Dispose();
    }

    private enum MessageKind : byte
    {
        Text,
        Reply,
        Receipt,
        Cover,
    }

    // A message a recipient owes (a receipt or a reply) to Recipient.
    private readonly record struct FollowUp(int Recipient, int Size, MessageKind Kind);

    private sealed class User(int index, X25519KeyPair key, byte[] deliverySecret) : IDisposable
    {
        public int Index { get; } = index;

        public X25519KeyPair Key { get; } = key;

        public byte[] DeliverySecret { get; } = deliverySecret;

        public Dictionary<int, E2eSession> Sessions { get; } = [];

        public ConcurrentQueue<ulong> Acks { get; } = new();

        // Receipts and replies owed, by due time; queued by receive threads, taken by the scheduler.
        public PriorityQueue<FollowUp, long> FollowUps { get; } = new();

        public RelayClientConnection? Authenticated { get; set; }

        public RelayClientConnection? Anonymous { get; set; }

        public RelayClientConnection? Retired { get; set; }

        public int AnonymousSends { get; set; }

        public DeliveryToken Token { get; set; }

        public byte[]? Certificate { get; set; }

        public SealedSenderOpener? Opener { get; set; }

        public Client? Client { get; set; }

        public Dictionary<int, MailboxSide> Mailboxes { get; } = [];

        public int[] Contacts(int users) => users == 2 ? [1 - Index] : [(Index + users - 1) % users, (Index + 1) % users];

        public void Dispose()
        {
            foreach (var session in Sessions.Values)
            {
                session.Dispose();
            }

            Opener?.Dispose();
            foreach (var side in Mailboxes.Values)
            {
                side.Mailbox.Dispose();
                side.Opener.Dispose();
            }

            Key.Dispose();
        }
    }

    // One side of a conversation: the mailbox this user receives on from Contact, the anonymous
    // connection that opened it (and sends to the peer's), and the peer's mailbox as its ticket names it.
    private sealed class MailboxSide(int contact, OwnedMailbox mailbox, RelayClientConnection connection, ConversationEnvelope opener)
    {
        public int Contact { get; } = contact;

        public OwnedMailbox Mailbox { get; } = mailbox;

        public RelayClientConnection Connection { get; } = connection;

        public ConversationEnvelope Opener { get; } = opener;

        public ConcurrentQueue<ulong> Acks { get; } = new();

        public PeerMailbox? Peer { get; set; }
    }

    // What a ticket says, kept as arrays (a ticket is a ref struct over its bytes).
    private sealed record PeerMailbox(byte[] FetchVerifier, ulong Expiry, DeliveryToken SendToken, byte[] SealingKey, byte[] Address)
    {
        public static PeerMailbox From(byte[] ticketBytes)
        {
            MailboxTicket.TryRead(ticketBytes, out var ticket);
            var address = new byte[MailboxAddress.Size];
            ticket.Address(address);
            return new PeerMailbox(ticket.FetchVerifier.ToArray(), ticket.Expiry, new DeliveryToken(ticket.SendToken), ticket.SealingKey.ToArray(), address);
        }
    }
}
