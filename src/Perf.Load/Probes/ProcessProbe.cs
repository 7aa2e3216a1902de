using System.Net;
using System.Net.Sockets;

namespace Perf.Load.Probes;

/// <summary>
/// A target in its own process: resident set and descriptors from <c>/proc</c>, and, when it serves
/// Prometheus text (a <c>perf relay</c>: the runtime's <c>System.Runtime</c> meter beside its own
/// at <c>/metrics</c>), its collector and mailbox depth from one scrape. The scrape binds
/// <see cref="ScrapeSource"/> on loopback, so the relay's per-source handshake budget charges it to
/// an address no client uses (a scrape never upgrades, so it keeps its token). With
/// <see cref="CollectsFirst"/>, each reading follows a full collection induced in the target
/// (<see cref="InducedFullCollection"/>): memory as the live set sets it, for the soak's slope.
/// </summary>
public sealed class ProcessProbe : ITargetProbe
{
    /// <summary>The loopback source address scrapes come from.</summary>
    public static readonly IPAddress ScrapeSource = new([127, 0, 0, 253]);

    private static readonly HttpClient Scraper = new(new SocketsHttpHandler { ConnectCallback = ConnectAsync }) { Timeout = TimeSpan.FromSeconds(5) };
    private readonly int _processId;
    private readonly Uri? _metrics;
    private int _collectionsMissed;

    /// <summary>
    /// Probes process <paramref name="processId"/>; <paramref name="metrics"/> is its Prometheus
    /// endpoint, or <c>null</c>; <paramref name="collectFirst"/> induces a full collection in it
    /// before each reading (a .NET target).
    /// </summary>
    public ProcessProbe(int processId, Uri? metrics, bool collectFirst = false)
    {
        _processId = processId;
        _metrics = metrics;
        CollectsFirst = collectFirst;
    }

    /// <summary>Whether each reading follows a full collection induced in the target.</summary>
    public bool CollectsFirst { get; }

    /// <summary>Readings whose full collection could not be induced (the target not .NET, gone, or too slow to answer): they are read as they are.</summary>
    public int CollectionsMissed => _collectionsMissed;

    /// <inheritdoc />
    public async Task<TargetSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        if (CollectsFirst && !await InducedFullCollection.TryInduceAsync(_processId, cancellationToken).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _collectionsMissed);
        }

        var runtime = TargetSnapshot.Empty;
        if (_metrics is not null)
        {
            try
            {
                // One connection per scrape: one kept between minutes would be an idle client of the relay.
                using var request = new HttpRequestMessage(HttpMethod.Get, _metrics) { Headers = { ConnectionClose = true } };
                using var response = await Scraper.SendAsync(request, cancellationToken).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                runtime = RuntimeMetricsText.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                // The target is gone or busy past the timeout: this entry has no collector figures.
            }
        }

        return runtime with { ResidentBytes = ProcFs.ResidentBytes(_processId), Handles = ProcFs.OpenDescriptors(_processId) };
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (IPAddress.TryParse(context.DnsEndPoint.Host, out var address) && IPAddress.IsLoopback(address) && address.AddressFamily == AddressFamily.InterNetwork)
            {
                socket.Bind(new IPEndPoint(ScrapeSource, 0));
            }

            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
