using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Perf.Load.Idle;

/// <summary>
/// Holds many idle authenticated connections to a target (or spread over the nodes of a cluster,
/// client i on node i mod N): opened concurrently with a bounded number of openings in flight,
/// each one a bare socket once open (plus, over Noise, its send key). Clients are spread over the
/// loopback source addresses 127.0.0.2, 127.0.0.3, ... (<see cref="ClientsPerSourceAddress"/> each),
/// because one source address has only ~28,000 ephemeral ports towards one target port; pools of
/// different generator processes take different address blocks (<c>sourceBlock</c>), so that each
/// address's unfinished handshakes stay within the relay's per-source budget. Like real clients, each sends a keep-alive PING
/// after <see cref="KeepAliveInterval"/> of silence (the relay closes connections idle for five
/// minutes by default), except while keep-alives are paused (during a measured run, so that the
/// target's CPU per message is the measured traffic's).
/// </summary>
public sealed class IdleConnectionPool : IAsyncDisposable
{
    /// <summary>Clients bound to one loopback source address (Linux's default ephemeral range holds 28,232 ports).</summary>
    public const int ClientsPerSourceAddress = 20_000;

    /// <summary>How long one opening (connect and protocol) may take.</summary>
    public static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Silence after which a client sends a keep-alive.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(60);

    // Linux: IPPROTO_IP / IP_BIND_ADDRESS_NO_PORT. Binding a source address would otherwise take
    // an ephemeral port at bind time, before the destination is known, and exhaust them sooner.
    private const int IpProtocolLevel = 0;
    private const int BindAddressNoPort = 24;

    /// <summary>Loopback source addresses one pool may use (its block): 64 × 20,000 clients.</summary>
    public const int SourceAddressesPerBlock = 64;

    private readonly IPEndPoint[] _targets;
    private readonly int _firstSourceOffset;
    private readonly int _clientsPerSourceAddress;
    private readonly IdleProtocol _protocol;
    private readonly Socket?[] _sockets;
    private readonly object?[] _states;
    private readonly long[] _lastSent;
    private readonly bool[] _vanished;
    private readonly object[] _stripes = CreateStripes(64);
    private readonly object _errorLock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _keepAlive;
    private string? _firstError;
    private readonly long _keepAliveTicks;
    private volatile bool _keepAlivePaused;

    /// <summary>Creates an empty pool of at most <paramref name="capacity"/> clients of <paramref name="target"/>.</summary>
    /// <param name="target">Where the clients connect.</param>
    /// <param name="protocol">How they open.</param>
    /// <param name="capacity">The most clients the pool will hold.</param>
    /// <param name="inFlight">The most openings in flight at once.</param>
    /// <param name="clientsPerSourceAddress">Clients per loopback source address.</param>
    /// <param name="keepAliveInterval">Silence after which a client sends a keep-alive (default <see cref="KeepAliveInterval"/>).</param>
    public IdleConnectionPool(IPEndPoint target, IdleProtocol protocol, int capacity, int inFlight = 256, int clientsPerSourceAddress = ClientsPerSourceAddress, TimeSpan? keepAliveInterval = null)
        : this([target ?? throw new ArgumentNullException(nameof(target))], protocol, capacity, inFlight, clientsPerSourceAddress, keepAliveInterval)
    {
    }

    /// <summary>Creates an empty pool of at most <paramref name="capacity"/> clients spread over <paramref name="targets"/> (client i on target i mod N).</summary>
    /// <param name="targets">Where the clients connect: a cluster's nodes.</param>
    /// <param name="protocol">How they open.</param>
    /// <param name="capacity">The most clients the pool will hold.</param>
    /// <param name="inFlight">The most openings in flight at once.</param>
    /// <param name="clientsPerSourceAddress">Clients per loopback source address.</param>
    /// <param name="keepAliveInterval">Silence after which a client sends a keep-alive (default <see cref="KeepAliveInterval"/>).</param>
    /// <param name="sourceBlock">Which block of <see cref="SourceAddressesPerBlock"/> loopback source addresses the pool uses (a shard's index).</param>
    public IdleConnectionPool(IReadOnlyList<IPEndPoint> targets, IdleProtocol protocol, int capacity, int inFlight = 256, int clientsPerSourceAddress = ClientsPerSourceAddress, TimeSpan? keepAliveInterval = null, int sourceBlock = 0)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentOutOfRangeException.ThrowIfZero(targets.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(sourceBlock);
        _keepAliveTicks = (long)((keepAliveInterval ?? KeepAliveInterval).TotalSeconds * Stopwatch.Frequency);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(clientsPerSourceAddress, 1);
        _clientsPerSourceAddress = clientsPerSourceAddress;
        _targets = [.. targets];
        _firstSourceOffset = 2 + (sourceBlock * SourceAddressesPerBlock);
        _protocol = protocol ?? throw new ArgumentNullException(nameof(protocol));
        _sockets = new Socket?[capacity];
        _states = new object?[capacity];
        _lastSent = new long[capacity];
        _vanished = new bool[capacity];
        InFlight = inFlight;
        _keepAlive = Task.Run(KeepAliveLoopAsync);
    }

    /// <summary>The most openings in flight at once.</summary>
    public int InFlight { get; }

    /// <summary>Clients opened so far (held or since closed by the target).</summary>
    public int Opened { get; private set; }

    /// <summary>The first reason an opening failed, if any did.</summary>
    public string? FirstError => _firstError;

    /// <summary>
    /// Opens clients <see cref="Opened"/> .. <paramref name="upTo"/> − 1; returns how many failed.
    /// </summary>
    /// <param name="upTo">The client count to reach.</param>
    /// <param name="progress">Receives the number opened so far, now and then.</param>
    /// <param name="cancellationToken">Stops opening.</param>
    public async Task<int> OpenAsync(int upTo, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(upTo, _sockets.Length);
        var (failed, _) = await RunAsync(Opened, upTo, progress, cancellationToken).ConfigureAwait(false);
        Opened = Math.Max(Opened, upTo);
        return failed;
    }

    /// <summary>Stops (true) or restarts (false) the keep-alives.</summary>
    public bool KeepAlivePaused
    {
        get => _keepAlivePaused;
        set => _keepAlivePaused = value;
    }

    /// <summary>Clients whose connection is still open: neither closed by the target nor failed.</summary>
    public int CountOpen()
    {
        var open = 0;
        var discard = new byte[4096];
        foreach (var socket in _sockets)
        {
            if (socket is null)
            {
                continue;
            }

            try
            {
                // Keep-alive answers wait unread; read them away, then readable with nothing to
                // read means the peer closed.
                while (socket.Available > 0)
                {
                    socket.Receive(discard);
                }

                if (!(socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0))
                {
                    open++;
                }
            }
            catch (SocketException)
            {
                // Reset by the peer: not open.
            }
        }

        return open;
    }

    /// <summary>
    /// Every open client sends one keep-alive now, and the sweep waits (polling, up to
    /// <paramref name="timeout"/>) until each has its answer waiting; returns how many were
    /// answered (0 when the protocol's keep-alive has no answer). Answers are left unread, as the
    /// keep-alive loop leaves them; the loop is held off meanwhile.
    /// </summary>
    public async Task<int> KeepAliveEveryoneAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!_protocol.AnswersKeepAlive)
        {
            return 0;
        }

        var paused = _keepAlivePaused;
        _keepAlivePaused = true;
        try
        {
            CountOpen(); // reads earlier answers away, so that what arrives next is this sweep's
            var asked = new List<Socket>(_sockets.Length);
            var now = Stopwatch.GetTimestamp();
            for (var i = 0; i < _sockets.Length; i++)
            {
                if (Volatile.Read(ref _sockets[i]) is not { } socket)
                {
                    continue;
                }

                try
                {
                    _protocol.KeepAlive(socket, _states[i]);
                    _lastSent[i] = now;
                    asked.Add(socket);
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    // Closed by the target: not asked.
                }
            }

            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            var answered = 0;
            while (true)
            {
                answered = 0;
                foreach (var socket in asked)
                {
                    answered += Answered(socket) ? 1 : 0;
                }

                if (answered == asked.Count || Stopwatch.GetTimestamp() > deadline)
                {
                    return answered;
                }

                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _keepAlivePaused = paused;
        }
    }

    /// <summary>
    /// Leaves <paramref name="messages"/> messages of <paramref name="envelopeSize"/> bytes with the
    /// target for recipients that never connect, <paramref name="perRecipient"/> each, sent by every
    /// open client in parallel, each client waiting for its answers; returns how many were accepted.
    /// </summary>
    /// <exception cref="NotSupportedException">The clients' protocol cannot send messages.</exception>
    public async Task<int> SendHeldAsync(int messages, int perRecipient, int envelopeSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(messages);
        ArgumentOutOfRangeException.ThrowIfLessThan(perRecipient, 1);
        if (!_protocol.HoldsMessages)
        {
            throw new NotSupportedException("these clients cannot leave messages with their target");
        }

        var senders = new List<int>();
        for (var i = 0; i < _sockets.Length; i++)
        {
            if (_sockets[i] is not null) senders.Add(i);
        }

        if (senders.Count == 0)
        {
            return 0;
        }

        // Message m goes to recipient m / perRecipient, a fresh random identity nobody holds the key of.
        var recipients = new byte[(messages + perRecipient - 1) / perRecipient][];
        for (var r = 0; r < recipients.Length; r++)
        {
            recipients[r] = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        }

        var shares = new List<byte[]>[senders.Count];
        for (var s = 0; s < shares.Length; s++) shares[s] = [];
        for (var m = 0; m < messages; m++)
        {
            shares[m % senders.Count].Add(recipients[m / perRecipient]);
        }

        var sends = new Task<int>[senders.Count];
        for (var s = 0; s < sends.Length; s++)
        {
            var client = senders[s];
            sends[s] = _protocol.SendHeldAsync(_sockets[client]!, _states[client], shares[s], envelopeSize, cancellationToken);
        }

        return (await Task.WhenAll(sends).ConfigureAwait(false)).Sum();
    }

    private static bool Answered(Socket socket)
    {
        try
        {
            return socket.Available > 0;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// The first <paramref name="clients"/> clients drop their connections at once and reconnect
    /// at once as the same identities (at most <see cref="InFlight"/> openings in flight).
    /// Returns the failures and the time from the first reconnect to the last completed opening.
    /// </summary>
    public async Task<(int Failed, TimeSpan Elapsed)> ReconnectAsync(int clients, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(clients, Opened);
        var paused = _keepAlivePaused;
        _keepAlivePaused = true;
        try
        {
            for (var i = 0; i < clients; i++)
            {
                Close(i);
            }

            return await RunAsync(0, clients, null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _keepAlivePaused = paused;
        }
    }

    /// <summary>
    /// Client <paramref name="client"/> closes its connection gracefully (what it has not read is
    /// read away first, so the close is a FIN, not a reset), stays away <paramref name="away"/>, and
    /// opens again as the same identity. Churn leaves a vanished client alone
    /// (<see cref="IdleReopen.Vanished"/>); a vanished client's return passes
    /// <paramref name="vanished"/> and reopens only one that is still vanished.
    /// </summary>
    public async Task<IdleReopen> ReopenAsync(int client, TimeSpan away, bool vanished, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(client, Opened);
        lock (Stripe(client))
        {
            if (_vanished[client] != vanished)
            {
                return IdleReopen.Vanished;
            }

            if (_sockets[client] is { } socket && !vanished)
            {
                CloseGracefully(socket);
            }

            Close(client);
        }

        if (away > TimeSpan.Zero)
        {
            await Task.Delay(away, CancellationToken.None).ConfigureAwait(false);
        }

        var (opened, state) = await TryOpenAsync(client, cancellationToken).ConfigureAwait(false);
        lock (Stripe(client))
        {
            _states[client] = state;
            Volatile.Write(ref _lastSent[client], Stopwatch.GetTimestamp());
            Volatile.Write(ref _vanished[client], false);
            Volatile.Write(ref _sockets[client], opened);
        }

        return opened is null ? IdleReopen.Failed : IdleReopen.Reopened;
    }

    /// <summary>
    /// Client <paramref name="client"/> vanishes: from now on it sends no keep-alive and reads
    /// nothing, and never closes, as a phone that lost its network without a FIN. Returns false when
    /// it is not open or has already vanished.
    /// </summary>
    public bool Vanish(int client)
    {
        lock (Stripe(client))
        {
            if (_sockets[client] is null || _vanished[client])
            {
                return false;
            }

            Volatile.Write(ref _vanished[client], true);
            return true;
        }
    }

    /// <summary>
    /// Whether the target has closed client <paramref name="client"/>'s connection, read from the
    /// socket's TCP state (Linux <c>TCP_INFO</c>) without reading its data: a vanished client must
    /// not read. A client with no socket counts as closed.
    /// </summary>
    public bool IsClosedByTarget(int client)
    {
        lock (Stripe(client))
        {
            return _sockets[client] is not { } socket || TcpState.IsClosedByPeer(socket);
        }
    }

    /// <summary>Closes every connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _keepAlive.ConfigureAwait(false);
        for (var i = 0; i < _sockets.Length; i++)
        {
            Close(i);
        }

        _stop.Dispose();
    }

    private static object[] CreateStripes(int count)
    {
        var stripes = new object[count];
        for (var i = 0; i < count; i++)
        {
            stripes[i] = new object();
        }

        return stripes;
    }

    private object Stripe(int client) => _stripes[client & (_stripes.Length - 1)];

    // Reads away what arrived unread (keep-alive answers), then closes both ways: a FIN, not a reset.
    private static void CloseGracefully(Socket socket)
    {
        try
        {
            var discard = new byte[1024];
            while (socket.Available > 0 && socket.Receive(discard) > 0)
            {
            }

            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already closed by the target.
        }
    }

    private void Close(int client)
    {
        _sockets[client]?.Dispose();
        _sockets[client] = null;
        (_states[client] as IDisposable)?.Dispose();
        _states[client] = null;
    }

    // Once a second (or a quarter of a shorter interval), every open client silent for the interval sends a keep-alive.
    private async Task KeepAliveLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Min(1000, _keepAliveTicks * 1000 / Stopwatch.Frequency / 4 + 1)));
        var interval = _keepAliveTicks;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (_keepAlivePaused)
                {
                    continue;
                }

                var now = Stopwatch.GetTimestamp();
                for (var i = 0; i < _sockets.Length && !_keepAlivePaused; i++)
                {
                    if (Volatile.Read(ref _sockets[i]) is not null && !Volatile.Read(ref _vanished[i]) && now - Volatile.Read(ref _lastSent[i]) > interval)
                    {
                        // Under the client's stripe: a churning client may be swapping its socket and state.
                        lock (Stripe(i))
                        {
                            try
                            {
                                if (_sockets[i] is { } socket)
                                {
                                    _protocol.KeepAlive(socket, _states[i]);
                                }
                            }
                            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                            {
                                // Closed by the target: CountOpen says so.
                            }
                        }

                        _lastSent[i] = now;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }

    private async Task<(int Failed, TimeSpan Elapsed)> RunAsync(int from, int to, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        var next = from - 1;
        var failed = 0;
        var done = 0;
        var started = Stopwatch.GetTimestamp();
        async Task Worker()
        {
            int client;
            while ((client = Interlocked.Increment(ref next)) < to && !cancellationToken.IsCancellationRequested)
            {
                var (socket, state) = await TryOpenAsync(client, cancellationToken).ConfigureAwait(false);
                _states[client] = state;
                Volatile.Write(ref _lastSent[client], Stopwatch.GetTimestamp());
                Volatile.Write(ref _sockets[client], socket);
                if (socket is null)
                {
                    Interlocked.Increment(ref failed);
                }

                if (Interlocked.Increment(ref done) % 1000 == 0)
                {
                    progress?.Report(from + done);
                }
            }
        }

        var workers = new Task[Math.Min(InFlight, Math.Max(1, to - from))];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(Worker, CancellationToken.None);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return (failed, Stopwatch.GetElapsedTime(started));
    }

    private async Task<(Socket? Socket, object? State)> TryOpenAsync(int client, CancellationToken cancellationToken)
    {
        var target = _targets[client % _targets.Length];
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(OpenTimeout);
        try
        {
            if (SourceAddress(target, client) is { } source)
            {
                if (OperatingSystem.IsLinux())
                {
                    socket.SetRawSocketOption(IpProtocolLevel, BindAddressNoPort, BitConverter.GetBytes(1));
                }

                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(target, timeout.Token).ConfigureAwait(false);
            return (socket, await _protocol.OpenAsync(socket, client, timeout.Token).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is SocketException or IdleConnectionException or OperationCanceledException or IOException)
        {
            socket.Dispose();
            lock (_errorLock)
            {
                _firstError ??= ex is OperationCanceledException ? $"an opening took over {OpenTimeout.TotalSeconds:0} s" : ex.Message;
            }

            return (null, null);
        }
    }

    // 127.0.0.2 for the first 20,000 clients (by default), 127.0.0.3 for the next, ... (block b
    // starts 64 b addresses further on): only towards an IPv4 loopback target.
    private IPAddress? SourceAddress(IPEndPoint target, int client)
    {
        if (target.AddressFamily != AddressFamily.InterNetwork || !IPAddress.IsLoopback(target.Address))
        {
            return null;
        }

        var offset = _firstSourceOffset + (client / _clientsPerSourceAddress);
        return new IPAddress(new byte[] { 127, (byte)(offset >> 16), (byte)(offset >> 8), (byte)offset });
    }
}

/// <summary>How <see cref="IdleConnectionPool.ReopenAsync"/> went.</summary>
public enum IdleReopen
{
    /// <summary>Open again as the same identity.</summary>
    Reopened,

    /// <summary>Closed, and could not open again.</summary>
    Failed,

    /// <summary>Left alone: churn met a vanished client (or a return met one no longer vanished).</summary>
    Vanished,
}
