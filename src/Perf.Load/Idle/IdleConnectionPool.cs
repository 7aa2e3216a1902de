using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Perf.Load.Idle;

/// <summary>
/// Holds many idle authenticated connections to one target: opened concurrently with a bounded
/// number of openings in flight, each one a bare socket once open. Clients are spread over the
/// loopback source addresses 127.0.0.2, 127.0.0.3, ... (<see cref="ClientsPerSourceAddress"/>
/// each), because one source address has only ~28,000 ephemeral ports towards one target port.
/// </summary>
public sealed class IdleConnectionPool : IAsyncDisposable
{
    /// <summary>Clients bound to one loopback source address (Linux's default ephemeral range holds 28,232 ports).</summary>
    public const int ClientsPerSourceAddress = 20_000;

    /// <summary>How long one opening (connect and protocol) may take.</summary>
    public static readonly TimeSpan OpenTimeout = TimeSpan.FromSeconds(30);

    // Linux: IPPROTO_IP / IP_BIND_ADDRESS_NO_PORT. Binding a source address would otherwise take
    // an ephemeral port at bind time, before the destination is known, and exhaust them sooner.
    private const int IpProtocolLevel = 0;
    private const int BindAddressNoPort = 24;

    private readonly IPEndPoint _target;
    private readonly int _clientsPerSourceAddress;
    private readonly IdleProtocol _protocol;
    private readonly Socket?[] _sockets;
    private readonly object _errorLock = new();
    private string? _firstError;

    /// <summary>Creates an empty pool of at most <paramref name="capacity"/> clients of <paramref name="target"/>.</summary>
    /// <param name="target">Where the clients connect.</param>
    /// <param name="protocol">How they open.</param>
    /// <param name="capacity">The most clients the pool will hold.</param>
    /// <param name="inFlight">The most openings in flight at once.</param>
    /// <param name="clientsPerSourceAddress">Clients per loopback source address.</param>
    public IdleConnectionPool(IPEndPoint target, IdleProtocol protocol, int capacity, int inFlight = 256, int clientsPerSourceAddress = ClientsPerSourceAddress)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(inFlight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(clientsPerSourceAddress, 1);
        _clientsPerSourceAddress = clientsPerSourceAddress;
        _target = target ?? throw new ArgumentNullException(nameof(target));
        _protocol = protocol ?? throw new ArgumentNullException(nameof(protocol));
        _sockets = new Socket?[capacity];
        InFlight = inFlight;
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

    /// <summary>Clients whose connection is still open: neither closed by the target nor failed.</summary>
    public int CountOpen()
    {
        var open = 0;
        foreach (var socket in _sockets)
        {
            // Readable with nothing to read means the peer closed; an idle client is sent nothing.
            if (socket is not null && !(socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0))
            {
                open++;
            }
        }

        return open;
    }

    /// <summary>
    /// The first <paramref name="clients"/> clients drop their connections at once and reconnect
    /// at once as the same identities (at most <see cref="InFlight"/> openings in flight).
    /// Returns the failures and the time from the first reconnect to the last completed opening.
    /// </summary>
    public async Task<(int Failed, TimeSpan Elapsed)> ReconnectAsync(int clients, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(clients, Opened);
        for (var i = 0; i < clients; i++)
        {
            _sockets[i]?.Dispose();
            _sockets[i] = null;
        }

        return await RunAsync(0, clients, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes every connection.</summary>
    public ValueTask DisposeAsync()
    {
        for (var i = 0; i < _sockets.Length; i++)
        {
            _sockets[i]?.Dispose();
            _sockets[i] = null;
        }

        return ValueTask.CompletedTask;
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
                var socket = await TryOpenAsync(client, cancellationToken).ConfigureAwait(false);
                _sockets[client] = socket;
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

    private async Task<Socket?> TryOpenAsync(int client, CancellationToken cancellationToken)
    {
        var socket = new Socket(_target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(OpenTimeout);
        try
        {
            if (SourceAddress(client) is { } source)
            {
                if (OperatingSystem.IsLinux())
                {
                    socket.SetRawSocketOption(IpProtocolLevel, BindAddressNoPort, BitConverter.GetBytes(1));
                }

                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(_target, timeout.Token).ConfigureAwait(false);
            await _protocol.OpenAsync(socket, client, timeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch (Exception ex) when (ex is SocketException or IdleConnectionException or OperationCanceledException or IOException)
        {
            socket.Dispose();
            lock (_errorLock)
            {
                _firstError ??= ex is OperationCanceledException ? $"an opening took over {OpenTimeout.TotalSeconds:0} s" : ex.Message;
            }

            return null;
        }
    }

    // 127.0.0.2 for the first 20,000 clients (by default), 127.0.0.3 for the next, ...: only towards an IPv4 loopback target.
    private IPAddress? SourceAddress(int client)
    {
        if (_target.AddressFamily != AddressFamily.InterNetwork || !IPAddress.IsLoopback(_target.Address))
        {
            return null;
        }

        var offset = 2 + (client / _clientsPerSourceAddress);
        return new IPAddress(new byte[] { 127, (byte)(offset >> 16), (byte)(offset >> 8), (byte)offset });
    }
}
