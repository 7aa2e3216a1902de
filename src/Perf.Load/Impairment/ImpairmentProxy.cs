using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Perf.Load.Net;

namespace Perf.Load.Impairment;

/// <summary>
/// A TCP proxy that puts an impaired network between its clients and one upstream, the
/// userspace stand-in for netem (which this machine's kernel lacks) with Toxiproxy's kinds of
/// fault: it listens, connects each accepted connection to the upstream, and applies a
/// <see cref="NetworkProfile"/> to each direction (latency ± jitter with order kept, bandwidth,
/// loss as a retransmission delay, outages, resets, slicing). One event-loop thread carries every
/// connection; memory per connection is bounded (<see cref="ImpairmentProxyOptions"/>).
/// Connection <c>n</c> (accept order, from 0) draws its faults from the seed and <c>n</c>, so a
/// run that opens its connections in the same order meets the same faults.
/// </summary>
/// <example>
/// <code>
/// await using var proxy = ImpairmentProxy.Start(NetworkProfile.Parse("mobile"), new IPEndPoint(IPAddress.Loopback, 0), relayEndPoint);
/// // clients connect to proxy.EndPoint instead of relayEndPoint
/// var counters = proxy.Counters;
/// </code>
/// </example>
public sealed class ImpairmentProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly ImpairmentProxyOptions _options;
    private readonly ProxyCounters _counters = new();
    private readonly LinkBufferPool _pool;
    private readonly ProxyLoop _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _accepted;
    private int _disposed;

    private ImpairmentProxy(Socket listener, EndPoint upstream, NetworkProfile profile, ImpairmentProxyOptions options)
    {
        _listener = listener;
        _options = options;
        Upstream = upstream;
        Profile = profile;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _pool = new LinkBufferPool(options.MinBufferBytes, options.MaxBufferBytes);
        _loop = new ProxyLoop(_counters);
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>Where clients connect.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Where each connection is carried to.</summary>
    public EndPoint Upstream { get; }

    /// <summary>The conditions applied.</summary>
    public NetworkProfile Profile { get; }

    /// <summary>What the proxy has done so far.</summary>
    public ImpairmentCounters Counters => _counters.Read();

    /// <summary>Bytes the event-loop thread had allocated at its last sample (every 100 ms): flat once warm, as nothing is allocated per chunk.</summary>
    internal long LoopAllocatedBytes => _counters.LoopAllocatedBytes;

    /// <summary>Listens on <paramref name="listen"/> (port 0: a free port) and carries every connection to <paramref name="upstream"/> through <paramref name="profile"/>.</summary>
    /// <exception cref="SocketException">The address cannot be listened on.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux: the proxy's loop uses epoll.</exception>
    public static ImpairmentProxy Start(NetworkProfile profile, IPEndPoint listen, EndPoint upstream, ImpairmentProxyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(upstream);
        options ??= new ImpairmentProxyOptions();
        var listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        {
            // Accepted sockets inherit these (and the receive buffer sets the window they advertise).
            NoDelay = true,
            ReceiveBufferSize = options.SocketBufferBytes,
            SendBufferSize = options.SocketBufferBytes,
        };
        try
        {
            listener.Bind(listen);
            listener.Listen(4096);
            return new ImpairmentProxy(listener, upstream, profile, options);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Stops accepting, closes every connection and stops the loop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped, as asked.
        }

        _loop.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // One failed accept (the client gave up, or no descriptor was free): keep listening, without spinning.
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
                continue;
            }

            _counters.Accepted();
            var index = _accepted++;
            _ = ConnectAsync(client, index, Stopwatch.GetTimestamp(), cancellationToken);
        }
    }

    // The upstream connection is made on a pool thread (a blocking connect: see DirectSockets), so
    // a slow upstream never holds up accepting or the loop; a failure resets the client.
    private async Task ConnectAsync(Socket client, long index, long originTicks, CancellationToken cancellationToken)
    {
        Socket upstream;
        try
        {
            upstream = await DirectSockets.ConnectAsync(Upstream, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
            upstream.ReceiveBufferSize = _options.SocketBufferBytes;
            upstream.SendBufferSize = _options.SocketBufferBytes;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException or OperationCanceledException)
        {
            // RST rather than FIN: the client learns at once that the server is not there.
            _counters.UpstreamFailure();
            ProxiedConnection.CloseSocket(client, reset: true);
            return;
        }

        _loop.Add(new ProxiedConnection(index, client, upstream, Profile, originTicks, _pool, _counters));
    }
}
