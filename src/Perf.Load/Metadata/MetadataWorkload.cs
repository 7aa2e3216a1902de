using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using HdrHistogram;
using Perf.Load.Engine;
using Perf.Results.Metadata;
using Relay.Client;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;

namespace Perf.Load.Metadata;

/// <summary>
/// A small chat network on one relay, for the metadata measurement: <see cref="MetadataWorkloadOptions.Users"/>
/// users on a ring, each talking with its two neighbours (E2E sessions established beforehand).
/// Conversations start at Poisson times; each delivered text is acknowledged at once by a
/// delivery receipt (as Signal and WhatsApp clients do, and sealed like everything else: the
/// rhythm Martiny et al. exploited) and answered, with probability
/// <see cref="MetadataWorkloadOptions.ReplyProbability"/>, after an exponential think time. Text
/// sizes come from a <see cref="MessageSizeDistribution"/>; a receipt is 24 bytes (the header and
/// the receipted message's timestamp). In sealed modes every user sends over one long-lived
/// anonymous connection (as Signal clients keep one unidentified socket) and receives on its
/// authenticated one. In conversation modes every pair has two conversation mailboxes (one per
/// side, tickets exchanged beforehand like the sessions), each opened by its owner on its own
/// anonymous connection, on which the owner also sends to the peer's mailbox (MAILBOX_SEND) and
/// ACKs what it receives. It records seal, open and end-to-end times, and keeps the ground truth
/// (who really sent each accepted message) for scoring what the relay's audit log reveals.
/// </summary>
public sealed class MetadataWorkload : IAsyncDisposable
{
    private readonly MetadataWorkloadOptions _options;
    private readonly MetadataMode _mode;
    private readonly User[] _users;
    private const int ReceiptSize = LoadPayload.HeaderSize + 8;
    private readonly Random _random;
    private readonly SealedSenderEnvelope _sealer;
    private readonly ConversationEnvelope _conversationSealer;
    private readonly List<(RelayClientConnection Connection, ConcurrentQueue<ulong> Acks)> _ackQueues = [];
    private readonly PriorityQueue<Pending, long> _replies = new();
    private readonly ConcurrentDictionary<long, Pending> _inFlight = new();
    private readonly ConcurrentBag<SentMessage> _accepted = [];
    private readonly LongHistogram _seal = NewHistogram();
    private readonly LongHistogram _open = NewHistogram();
    private readonly LongHistogram _endToEnd = NewHistogram();
    private readonly List<Task> _readers = [];
    private EndPoint? _relay;
    private RelayClientOptions? _clientOptions;
    private long _measureFrom = long.MaxValue;
    private long _delivered;
    private long _acceptedCover;
    private long _rejected;
    private long _failed;
    private volatile bool _replying = true;

    private MetadataWorkload(MetadataWorkloadOptions options, MetadataMode mode)
    {
        _options = options;
        _mode = mode;
        _random = new Random(options.Seed);
        _sealer = new SealedSenderEnvelope(AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);
        _conversationSealer = new ConversationEnvelope(AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);
        _users = new User[options.Users];
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

    /// <summary>Each user's identity public key, by index (to read the audit log's base64 identities).</summary>
    public IReadOnlyList<byte[]> Identities => Array.ConvertAll(_users, u => u.Key.PublicKey.ToArray());

    /// <summary>Each user's contacts, by index (the attacks' answer key).</summary>
    public IReadOnlyList<int[]> Contacts => Array.ConvertAll(_users, u => u.Contacts(_users.Length));

    /// <summary>Connects every user to the relay at <paramref name="relay"/> (its static key pinned) and, in sealed modes, sets up sealed sender.</summary>
    /// <exception cref="RelayClientException">The relay is unreachable or refused.</exception>
    public static async Task<MetadataWorkload> ConnectAsync(EndPoint relay, byte[] relayKey, MetadataMode mode, MetadataWorkloadOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(mode);
        options.Validate();
        var workload = new MetadataWorkload(options, mode);
        var clientOptions = new RelayClientOptions { Cipher = AeadAlgorithm.Aes256Gcm, Backend = AeadBackend.Auto, RelayKey = relayKey };
        (workload._relay, workload._clientOptions) = (relay, clientOptions);
        foreach (var user in workload._users)
        {
            user.Authenticated = await RelayClientConnection.ConnectTcpAsync(relay, user.Key, clientOptions, cancellationToken).ConfigureAwait(false);
            if (mode.SealedSender)
            {
                var token = new byte[DeliveryTokens.TokenSize];
                DeliveryTokens.DeriveToken(user.DeliverySecret, user.Key.PublicKey, token);
                user.Token = new DeliveryToken(token);
                var verifier = new byte[DeliveryTokens.VerifierSize];
                DeliveryTokens.ComputeVerifier(token, verifier);
                var (certificate, signingKey) = await SealedSenderSetup.EnableAsync(user.Authenticated, verifier, cancellationToken).ConfigureAwait(false);
                user.Certificate = certificate;
                user.Opener = new SealedSenderOpener(user.Key, signingKey, AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);
                user.Anonymous = await RelayClientConnection.ConnectAnonymousTcpAsync(relay, clientOptions, cancellationToken).ConfigureAwait(false);
            }
        }

        if (mode.Conversations)
        {
            await workload.OpenMailboxesAsync(relay, clientOptions, cancellationToken).ConfigureAwait(false);
        }

        foreach (var user in workload._users)
        {
            workload.StartReader(user, user.Authenticated!, user.Acks, null);
            if (user.Anonymous is { } anonymous)
            {
                // Sealed sending only: answers come here, DELIVERs (and so ACKs) on the authenticated one.
                workload._readers.Add(Task.Run(() => workload.ReceiveAsync(user, anonymous, user.Acks, null), CancellationToken.None));
            }

            foreach (var side in user.Mailboxes.Values)
            {
                workload.StartReader(user, side.Connection, side.Acks, side);
            }
        }

        return workload;
    }

    // Every conversation's two mailboxes. Mailbox connections open after every identity's
    // connection, in a shuffled order, so connection times do not pair a mailbox with its owner
    // (the connection-time attack tries exactly that). The set-up messages that would carry the
    // tickets through the peers' identities are not sent: tickets are exchanged here, as the E2E
    // sessions are, and the log holds only the conversation traffic.
    private async Task OpenMailboxesAsync(EndPoint relay, RelayClientOptions clientOptions, CancellationToken cancellationToken)
    {
        var sides = new List<(User User, int Contact)>();
        foreach (var user in _users)
        {
            foreach (var contact in user.Contacts(_users.Length))
            {
                sides.Add((user, contact));
            }
        }

        var order = sides.ToArray();
        _random.Shuffle(order);
        foreach (var (user, contact) in order)
        {
            var mailbox = new OwnedMailbox(DateTimeOffset.UtcNow.AddHours(1));
            var connection = await RelayClientConnection.ConnectAnonymousTcpAsync(relay, clientOptions, cancellationToken).ConfigureAwait(false);
            user.Mailboxes[contact] = new MailboxSide(contact, mailbox, connection, new ConversationEnvelope(AeadAlgorithm.Aes256Gcm, AeadBackend.Auto));
            connection.OpenMailbox(0, mailbox.Credential, mailbox.SendVerifier, mailbox.Expiry);
            await connection.FlushAsync().ConfigureAwait(false);
            if (await connection.ReadAsync().ConfigureAwait(false) is not { Type: FrameType.Accepted })
            {
                throw new RelayClientException("the relay did not open a conversation mailbox");
            }
        }

        foreach (var (user, contact) in sides)
        {
            user.Mailboxes[contact].Peer = PeerMailbox.From(_users[contact].Mailboxes[user.Index].Mailbox.Ticket());
        }
    }

    private void StartReader(User user, RelayClientConnection connection, ConcurrentQueue<ulong> acks, MailboxSide? side)
    {
        _ackQueues.Add((connection, acks));
        _readers.Add(Task.Run(() => ReceiveAsync(user, connection, acks, side), CancellationToken.None));
    }

    /// <summary>
    /// Runs warm-up and measured time, then waits (up to 5 s) for what was sent to be delivered.
    /// Returns the outcome; the ground truth covers every accepted message, warm-up included.
    /// When given the relay's process, its CPU time is read at the end of the warm-up (a fresh
    /// relay compiles its paths then) and after the drain, over the messages delivered in between.
    /// </summary>
    public async Task<MetadataOutcome> RunAsync(IProcessResources? relay, CancellationToken cancellationToken)
    {
        ProcessResourceSample? first = null;
        long deliveredAtStart = 0;
        var frequency = Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp();
        _measureFrom = start + (long)(_options.Warmup.TotalSeconds * frequency);
        var end = _measureFrom + (long)(_options.Duration.TotalSeconds * frequency);
        // Every text brings a receipt, and texts are initiations and their chains of replies.
        var initiationRate = _options.Rate / 2 * (1 - _options.ReplyProbability);
        var nextInitiation = start;
        var nextCover = _mode.CoverTraffic ? start : long.MaxValue;
        long sequence = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            if (now >= end)
            {
                break;
            }

            if (first is null && now >= _measureFrom)
            {
                first = relay?.Sample();
                deliveredAtStart = Interlocked.Read(ref _delivered);
            }

            Pending? due = null;
            lock (_replies)
            {
                if (_replies.TryPeek(out var reply, out var replyAt) && replyAt <= now && replyAt <= nextInitiation)
                {
                    due = _replies.Dequeue() with { Intended = replyAt };
                }
            }

            if (due is null && nextInitiation <= now)
            {
                due = ToRandomContact(MessageKind.Text, nextInitiation);
                nextInitiation += PoissonGap(initiationRate);
            }

            if (due is null && nextCover <= now)
            {
                due = ToRandomContact(MessageKind.Cover, nextCover);
                nextCover += PoissonGap(_options.CoverRate);
            }

            if (due is null)
            {
                await FlushAcksAsync().ConfigureAwait(false);
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                continue;
            }

            // The two low bits of the sequence say receipt (1) or cover (2): the recipient answers neither.
            sequence++;
            await SendAsync(due with { Sequence = (sequence << 2) | (due.Kind == MessageKind.Receipt ? 1L : 0L) | (due.Kind == MessageKind.Cover ? 2L : 0L) }).ConfigureAwait(false);
        }

        await DrainAsync(cancellationToken).ConfigureAwait(false);
        var cpu = first is { } at && relay?.Sample() is { } last ? last.CpuTime - at.CpuTime : TimeSpan.Zero;
        return new MetadataOutcome(
            [.. _accepted.OrderBy(m => m.RelayMessageId)],
            Interlocked.Read(ref _delivered),
            Interlocked.Read(ref _rejected),
            Interlocked.Read(ref _failed),
            Snapshot(_seal),
            Snapshot(_open),
            Snapshot(_endToEnd),
            cpu,
            Interlocked.Read(ref _delivered) - deliveredAtStart)
        {
            AcceptedCover = Interlocked.Read(ref _acceptedCover),
        };
    }

    // A message of this kind from a random user to one of its contacts, meant for the given time.
    private Pending ToRandomContact(MessageKind kind, long intended)
    {
        var sender = _random.Next(_users.Length);
        var contacts = _users[sender].Contacts(_users.Length);
        return new Pending(0, sender, contacts[_random.Next(contacts.Length)], _options.Sizes.Next(_random), kind, intended);
    }

    // The next gap of a Poisson arrival process at this rate, in Stopwatch ticks.
    private long PoissonGap(double ratePerSecond) => (long)(-Math.Log(1 - _random.NextDouble()) / ratePerSecond * Stopwatch.Frequency);

    // No new replies; waits up to 5 s for what is in flight to be delivered and acknowledged.
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        _replying = false;
        var drainUntil = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < drainUntil && (_inFlight.Count > 0 || Interlocked.Read(ref _delivered) < _accepted.Count))
        {
            await FlushAcksAsync().ConfigureAwait(false);
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        await FlushAcksAsync().ConfigureAwait(false);
    }

    /// <summary>Closes every connection and wipes the keys.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var user in _users)
        {
            if (user.Authenticated is not null)
            {
                await user.Authenticated.DisposeAsync().ConfigureAwait(false);
            }

            if (user.Anonymous is not null)
            {
                await user.Anonymous.DisposeAsync().ConfigureAwait(false);
            }

            if (user.Retired is not null)
            {
                await user.Retired.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var side in user.Mailboxes.Values)
            {
                await side.Connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        try
        {
            await Task.WhenAll(_readers).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
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

    private static LongHistogram NewHistogram() => new(1, 60_000_000, 3);

    private static LongHistogram Snapshot(LongHistogram histogram)
    {
        lock (histogram)
        {
            return (LongHistogram)histogram.Copy();
        }
    }

    private static void Record(LongHistogram histogram, long ticks)
    {
        var micros = Math.Clamp(ticks * 1_000_000 / Stopwatch.Frequency, 1, 60_000_000);
        lock (histogram)
        {
            histogram.RecordValue(micros);
        }
    }

    // Seals (E2E, then the sealed layer with the sender's certificate) and sends on the sender's
    // connection for this mode: the authenticated one (plain) or the anonymous one (sealed).
    private async Task SendAsync(Pending message)
    {
        var sender = _users[message.Sender];
        var recipient = _users[message.Recipient];
        var plaintext = new byte[message.Size];
        LoadPayload.Write(plaintext, message.Sequence, message.Intended);
        var session = sender.Sessions[message.Recipient];
        var started = Stopwatch.GetTimestamp();
        var envelope = new byte[session.GetEnvelopeSize(plaintext.Length)];
        envelope = envelope[..session.Seal(plaintext, envelope)];
        if (_mode.SealedSender)
        {
            var sealedEnvelope = new byte[SealedSenderEnvelope.SealedSize(envelope.Length)];
            _sealer.Seal(recipient.Key.PublicKey, sender.Certificate!, envelope, sealedEnvelope);
            envelope = sealedEnvelope;
        }
        else if (_mode.Conversations)
        {
            var peer = sender.Mailboxes[message.Recipient].Peer!;
            var wrapped = new byte[_conversationSealer.Overhead + envelope.Length];
            _conversationSealer.Seal(peer.SealingKey, peer.Address, envelope, wrapped);
            envelope = wrapped;
        }

        if (message.Intended >= _measureFrom)
        {
            Record(_seal, Stopwatch.GetTimestamp() - started);
        }

        _inFlight[message.Sequence] = message;
        var recipientIdentity = new Identity(recipient.Key.PublicKey);
        try
        {
            if (_mode.Conversations)
            {
                var side = sender.Mailboxes[message.Recipient];
                DrainAcks(side.Connection, side.Acks);
                side.Connection.MailboxSend((ulong)message.Sequence, side.Peer!.FetchVerifier, side.Peer.Expiry, side.Peer.SendToken, envelope);
                await side.Connection.FlushAsync().ConfigureAwait(false);
            }
            else if (_mode.SealedSender)
            {
                if (_mode.FreshConnections && ++sender.AnonymousSends > _options.FreshConnectionEvery)
                {
                    await FreshAnonymousConnectionAsync(sender).ConfigureAwait(false);
                }

                sender.Anonymous!.SealedSend((ulong)message.Sequence, recipientIdentity, recipient.Token, envelope);
                await sender.Anonymous.FlushAsync().ConfigureAwait(false);
            }
            else
            {
                DrainAcks(sender.Authenticated!, sender.Acks);
                sender.Authenticated!.Send((ulong)message.Sequence, recipientIdentity, envelope);
                await sender.Authenticated.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or System.Net.WebSockets.WebSocketException)
        {
            _inFlight.TryRemove(message.Sequence, out _);
            Interlocked.Increment(ref _failed);
        }
    }

    // The fresh-connections defence: the sender's next sealed sends go on a new anonymous
    // connection (its handshake is part of this message's latency, as for a real client). The one
    // before is closed now; the one just replaced stays open for answers still on their way.
    private async Task FreshAnonymousConnectionAsync(User sender)
    {
        RelayClientConnection fresh;
        try
        {
            fresh = await RelayClientConnection.ConnectAnonymousTcpAsync(_relay!, _clientOptions!, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RelayClientException)
        {
            Interlocked.Increment(ref _failed);
            return; // keep sending on the old one
        }

        if (sender.Retired is { } closing)
        {
            await closing.DisposeAsync().ConfigureAwait(false);
        }

        (sender.Retired, sender.Anonymous, sender.AnonymousSends) = (sender.Anonymous, fresh, 1);
        _readers.Add(Task.Run(() => ReceiveAsync(sender, fresh, sender.Acks, null), CancellationToken.None));
    }

    private async Task ReceiveAsync(User user, RelayClientConnection connection, ConcurrentQueue<ulong> acks, MailboxSide? side)
    {
        try
        {
            while (await connection.ReadAsync().ConfigureAwait(false) is { } frame)
            {
                switch (frame.Type)
                {
                    case FrameType.Accepted when _inFlight.TryRemove((long)frame.ClientMessageId, out var sent):
                        if (sent.Kind == MessageKind.Cover)
                        {
                            Interlocked.Increment(ref _acceptedCover);
                            break; // cover is traffic, not a message to link: the attacks are scored on real ones
                        }

                        _accepted.Add(new SentMessage(frame.RelayMessageId, sent.Sender, sent.Recipient, sent.Size, sent.Kind != MessageKind.Text));
                        break;
                    case FrameType.Rejected when _inFlight.TryRemove((long)frame.ClientMessageId, out _):
                        Interlocked.Increment(ref _rejected);
                        break;
                    case FrameType.Deliver:
                        Open(user, side, frame, Stopwatch.GetTimestamp());
                        acks.Enqueue(frame.RelayMessageId);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is RelayClientException or OperationCanceledException or ObjectDisposedException)
        {
            // the connection ended
        }
    }

    // The recipient's side: open (sealed: outer layer, certificate, sender bound to the session;
    // conversations: the mailbox's layer, then the session of the mailbox's one peer), time it, maybe answer.
    private void Open(User user, MailboxSide? side, in RelayFrame frame, long received)
    {
        var bytes = System.Buffers.BuffersExtensions.ToArray(frame.Envelope);
        var plaintext = new byte[bytes.Length];
        int written;
        int from;
        if (side is not null)
        {
            var inner = new byte[bytes.Length];
            from = side.Contact;
            if (side.Opener.TryOpen(side.Mailbox.SealingKey, side.Mailbox.Address, bytes, inner, out var innerLength) != SealedSenderError.None
                || !user.Sessions.TryGetValue(from, out var session)
                || session.TryOpen(inner.AsSpan(0, innerLength), plaintext, out written) != E2eError.None)
            {
                Interlocked.Increment(ref _failed);
                return;
            }
        }
        else if (_mode.SealedSender)
        {
            if (user.Opener!.TryUnseal(bytes, DateTimeOffset.UtcNow, out var contents) != SealedSenderError.None
                || (from = IndexOf(contents.Sender)) < 0
                || !user.Sessions.TryGetValue(from, out var session)
                || SealedSenderOpener.OpenInner(session, contents.Sender, contents.Envelope, plaintext, out written, out _) != SealedSenderError.None)
            {
                Interlocked.Increment(ref _failed);
                return;
            }
        }
        else
        {
            Span<byte> identity = stackalloc byte[Identity.Size];
            frame.Identity.CopyTo(identity);
            if ((from = IndexOf(identity)) < 0 || !user.Sessions.TryGetValue(from, out var session) || session.TryOpen(bytes, plaintext, out written) != E2eError.None)
            {
                Interlocked.Increment(ref _failed);
                return;
            }
        }

        var opened = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _delivered);
        if (!LoadPayload.TryRead(plaintext.AsSpan(0, written), out var sequence, out var intended))
        {
            return;
        }

        if (intended >= _measureFrom)
        {
            Record(_open, opened - received);
            Record(_endToEnd, opened - intended);
        }

        if (!_replying || (sequence & 3) != 0)
        {
            return;
        }

        lock (_replies)
        {
            // A delayed receipt (timing defence) leaves at a uniformly random time within the delay;
            // its e2e time counts from then, so the delay itself is not in the e2e columns.
            var receiptAt = _mode.DelayedReceipts ? opened + (long)(Random.Shared.NextDouble() * _options.ReceiptDelay.TotalSeconds * Stopwatch.Frequency) : opened;
            _replies.Enqueue(new Pending(0, user.Index, from, ReceiptSize, MessageKind.Receipt, 0), receiptAt);
            if (Random.Shared.NextDouble() < _options.ReplyProbability)
            {
                var delay = (long)(-Math.Log(1 - Random.Shared.NextDouble()) * _options.MeanReplyDelay.TotalSeconds * Stopwatch.Frequency);
                _replies.Enqueue(new Pending(0, user.Index, from, _options.Sizes.Next(Random.Shared), MessageKind.Reply, 0), opened + delay);
            }
        }
    }

    private int IndexOf(ReadOnlySpan<byte> identity)
    {
        foreach (var user in _users)
        {
            if (user.Key.PublicKey.SequenceEqual(identity))
            {
                return user.Index;
            }
        }

        return -1;
    }

    // ACKs go out on the connection that received, by the one thread that writes to it (this one).
    private async Task FlushAcksAsync()
    {
        foreach (var (connection, acks) in _ackQueues)
        {
            if (DrainAcks(connection, acks))
            {
                try
                {
                    await connection.FlushAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
                {
                    // a closed connection: the relay keeps what was not acknowledged
                }
            }
        }
    }

    private static bool DrainAcks(RelayClientConnection connection, ConcurrentQueue<ulong> acks)
    {
        var any = false;
        while (acks.TryDequeue(out var relayId))
        {
            connection.Ack(relayId);
            any = true;
        }

        return any;
    }

    private enum MessageKind
    {
        Text,
        Reply,
        Receipt,
        Cover,
    }

    private sealed record Pending(long Sequence, int Sender, int Recipient, int Size, MessageKind Kind, long Intended);

    private sealed class User(int index, X25519KeyPair key, byte[] deliverySecret) : IDisposable
    {
        public int Index { get; } = index;

        public X25519KeyPair Key { get; } = key;

        public byte[] DeliverySecret { get; } = deliverySecret;

        public Dictionary<int, E2eSession> Sessions { get; } = [];

        public ConcurrentQueue<ulong> Acks { get; } = new();

        public RelayClientConnection? Authenticated { get; set; }

        public RelayClientConnection? Anonymous { get; set; }

        public RelayClientConnection? Retired { get; set; }

        public int AnonymousSends { get; set; }

        public DeliveryToken Token { get; set; }

        public byte[]? Certificate { get; set; }

        public SealedSenderOpener? Opener { get; set; }

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

/// <summary>What the metadata workload did.</summary>
/// <param name="Accepted">Every accepted message with its true sender, by relay id.</param>
/// <param name="Delivered">Messages opened by their recipients.</param>
/// <param name="Rejected">Messages the relay refused.</param>
/// <param name="Failed">Messages that could not be sent or opened.</param>
/// <param name="SealUs">Sender-side seal time (E2E, plus the sealed layer), µs.</param>
/// <param name="OpenUs">Recipient-side open time (plus unsealing and the certificate check), µs.</param>
/// <param name="EndToEndUs">Intended send time to opened plaintext, µs.</param>
/// <param name="RelayCpu">The relay process's CPU time from the end of the warm-up to the end of the drain (zero without a process).</param>
/// <param name="DeliveredMeasured">Messages delivered over that same span.</param>
public sealed record MetadataOutcome(IReadOnlyList<SentMessage> Accepted, long Delivered, long Rejected, long Failed, LongHistogram SealUs, LongHistogram OpenUs, LongHistogram EndToEndUs, TimeSpan RelayCpu, long DeliveredMeasured)
{
    /// <summary>Cover messages the relay accepted (not in <see cref="Accepted"/>, but in the audit log).</summary>
    public long AcceptedCover { get; init; }
}
