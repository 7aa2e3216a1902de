using System.Buffers;
using Relay.Client;
using Relay.Crypto.E2e;
using Relay.Protocol.Frames;

namespace Perf.Load.K6;

/// <summary>
/// The C# end of a k6 protocol check: connects to the relay's WebSocket gateway as one user of a
/// k6 data set, opens each message it receives with that user's sessions, answers the sender with
/// the same plaintext over the same session, and ACKs. A script that speaks the frames or the
/// envelope wrongly gets no answer (and the peer reports why).
/// </summary>
public sealed class K6Peer : IAsyncDisposable
{
    private readonly RelayClientConnection _connection;
    private readonly E2eSession[] _sessions;
    private ulong _nextClientId = 1;

    private K6Peer(RelayClientConnection connection, E2eSession[] sessions)
    {
        _connection = connection;
        _sessions = sessions;
    }

    /// <summary>Connects as <paramref name="user"/> of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such user in the data set.</exception>
    /// <exception cref="RelayClientException">The relay is unreachable or refused the token.</exception>
    /// <exception cref="FormatException">One of the user's session states is not usable (damaged or hand-edited file).</exception>
    public static async Task<K6Peer> ConnectAsync(Uri relay, K6DataFile data, int user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegative(user);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(user, data.Users.Count);
        var entry = data.Users[user];
        var sessions = ImportSessions(entry);
        try
        {
            var connection = await RelayClientConnection.ConnectWebSocketAsync(relay, entry.Token, new RelayClientOptions(), cancellationToken).ConfigureAwait(false);
            return new K6Peer(connection, sessions);
        }
        catch
        {
            DisposeAll(sessions);
            throw;
        }
    }

    private static E2eSession[] ImportSessions(K6User entry)
    {
        var sessions = new List<E2eSession>(entry.Sessions.Count);
        for (var i = 0; i < entry.Sessions.Count; i++)
        {
            var state = entry.Sessions[i];
            if (!Relay.Crypto.Aead.AeadAlgorithm.TryParse(state.Algorithm, out var algorithm))
            {
                DisposeAll(sessions);
                throw new FormatException($"user {entry.Index}, session {i}: unknown algorithm '{state.Algorithm}'.");
            }

            try
            {
                sessions.Add(E2eSession.ImportState(state, new E2eSessionOptions { Algorithm = algorithm }));
            }
            catch (FormatException ex)
            {
                DisposeAll(sessions);
                throw new FormatException($"user {entry.Index}, session {i}: {ex.Message}", ex);
            }
        }

        return [.. sessions];
    }

    private static void DisposeAll(IEnumerable<E2eSession> sessions)
    {
        foreach (var session in sessions)
        {
            session.Dispose();
        }
    }

    /// <summary>
    /// Answers messages until <paramref name="count"/> have been answered (0: until cancelled or the
    /// relay closes). Returns how many were answered.
    /// </summary>
    /// <exception cref="K6PeerException">A message did not open, the relay rejected an answer or sent ERROR.</exception>
    public async Task<int> AnswerAsync(int count, CancellationToken cancellationToken)
    {
        var answered = 0;
        var plaintext = new byte[70_000];
        var envelope = new byte[70_000];
        while (count == 0 || answered < count)
        {
            var read = await _connection.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (read is not RelayFrame frame)
            {
                return answered;
            }

            switch (frame.Type)
            {
                case FrameType.Deliver:
                    var received = frame.Envelope.ToArray();
                    var relayId = frame.RelayMessageId;
                    var session = FindSession(received) ?? throw new K6PeerException($"message {relayId}: no session of this user has its session id");
                    var error = session.TryOpen(received, plaintext, out var written);
                    _connection.Ack(relayId);
                    if (error != E2eError.None)
                    {
                        await _connection.FlushAsync(cancellationToken).ConfigureAwait(false);
                        throw new K6PeerException($"message {relayId} did not open: {error}");
                    }

                    var size = session.Seal(plaintext.AsSpan(0, written), envelope);
                    _connection.Send(_nextClientId++, new Identity(session.RemoteIdentity), envelope.AsSpan(0, size));
                    await _connection.FlushAsync(cancellationToken).ConfigureAwait(false);
                    answered++;
                    break;
                case FrameType.Rejected:
                    throw new K6PeerException($"the relay rejected an answer: {(RejectReason)frame.Code}");
                case FrameType.Error:
                    throw new K6PeerException($"the relay sent ERROR {(FrameError)frame.Code}");
                default:
                    break; // ACCEPTED and PONG need nothing; the relay never pings clients
            }
        }

        return answered;
    }

    private E2eSession? FindSession(ReadOnlySpan<byte> envelope)
    {
        if (envelope.Length < 19)
        {
            return null;
        }

        foreach (var session in _sessions)
        {
            if (session.SessionId.SequenceEqual(envelope.Slice(3, 16)))
            {
                return session;
            }
        }

        return null;
    }

    /// <summary>Closes the connection and forgets the sessions.</summary>
    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        DisposeAll(_sessions);
    }
}

/// <summary>The peer met something a correct client would not cause.</summary>
public sealed class K6PeerException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public K6PeerException(string message)
        : base(message)
    {
    }
}
