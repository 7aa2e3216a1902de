using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Perf.Load.Os;
using Perf.Load.Targets;

namespace Perf.Load.Processes;

/// <summary>
/// A relay (<c>perf relay</c>) in its own process on free loopback ports, started for one load
/// command, with a fresh WebSocket secret that exists only for this run's tokens.
/// </summary>
public sealed class RelayProcess : IAsyncDisposable
{
    private const string ListeningPrefix = "relay listening ";

    /// <summary>
    /// What the relay starts with beside <see cref="RuntimeSettings.DotNet"/>: inline socket
    /// completions (which <c>perf relay</c> turns on itself with its default
    /// <c>--scheduling inline</c>; stated here so the result records it): the socket engine's
    /// thread runs the relay's code.
    /// </summary>
    private static readonly Dictionary<string, string> InlineCompletions = new()
    {
        ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1",
    };

    /// <summary>
    /// The relay's abuse limits that a load run's clients are not meant to meet: one load connection
    /// carries the messages of many simulated users (so it is not one phone, whose send rate the
    /// relay limits), and a sealed-sender run opens all its anonymous connections from one address.
    /// The per-source handshake limits stay on: a handshake flood (<c>--handshake-flood</c>) measures them.
    /// </summary>
    public static IReadOnlyList<string> LoadClientLimits { get; } = ["--send-rate", "0", "--anonymous-per-source", "0"];

    private RelayProcess(ChildProcess process, IPEndPoint tcp, IPEndPoint webSocket, byte[] key, byte[] secret)
    {
        Process = process;
        TcpEndPoint = tcp;
        WebSocketEndPoint = webSocket;
        RelayKey = key;
        WebSocketSecret = secret;
    }

    /// <summary>The process, for its CPU time and memory.</summary>
    public ChildProcess Process { get; }

    /// <summary>The Noise/TCP endpoint.</summary>
    public IPEndPoint TcpEndPoint { get; }

    /// <summary>The WebSocket gateway endpoint.</summary>
    public IPEndPoint WebSocketEndPoint { get; }

    /// <summary>The relay's static public key, to pin.</summary>
    public byte[] RelayKey { get; }

    /// <summary>The WebSocket token secret this run generated.</summary>
    public byte[] WebSocketSecret { get; }

    /// <summary>
    /// Starts <c>perf relay</c>: <paramref name="perfCommand"/> is how to run <c>perf</c> (see
    /// <see cref="PerfCommand"/>); this adds the relay arguments and waits for its listening line.
    /// </summary>
    /// <param name="perfCommand">How to run <c>perf</c>.</param>
    /// <param name="cipher">The relay's <c>--cipher</c>.</param>
    /// <param name="backend">The relay's <c>--backend</c>.</param>
    /// <param name="cpus">The CPUs to pin it to, or <c>null</c>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="extraArguments">More <c>perf relay</c> options (<c>--audit-log FILE</c>, <c>--store URL</c>).</param>
    /// <param name="listeners">Fixed ports and a WebSocket secret shared with other nodes (a cluster node that restarts where its clients look for it), or <c>null</c> for free ports and a fresh secret.</param>
    /// <exception cref="LoadTargetException">The relay did not start or did not print its listening line in time.</exception>
    public static async Task<RelayProcess> StartAsync(ProcessStartInfo perfCommand, string cipher, string backend, CpuSet? cpus, CancellationToken cancellationToken, IEnumerable<string>? extraArguments = null, RelayListeners? listeners = null)
    {
        ArgumentNullException.ThrowIfNull(perfCommand);
        var secret = listeners?.WebSocketSecret ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        var (listenTcp, listenWs) = listeners is { } fixedPorts ? ($"127.0.0.1:{fixedPorts.TcpPort}", $"127.0.0.1:{fixedPorts.WebSocketPort}") : ("127.0.0.1:0", "127.0.0.1:0");
        RuntimeSettings.AddDotNet(perfCommand, InlineCompletions);
        perfCommand.AddArguments(["relay", "--tcp", listenTcp, "--ws", listenWs, "--cipher", cipher, "--backend", backend, "--ws-secret", secret, .. LoadClientLimits, .. extraArguments ?? []]);

        var process = await ChildProcess.StartAsync(new ChildProcessStart(perfCommand, "perf relay") { ReadyLinePrefix = ListeningPrefix, Cpus = cpus }, cancellationToken).ConfigureAwait(false);
        try
        {
            var (tcp, webSocket, key) = ParseListening(process.ReadyLine!);
            return new RelayProcess(process, tcp, webSocket, key, System.Text.Encoding.UTF8.GetBytes(secret));
        }
        catch (FormatException ex)
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw new LoadTargetException($"the relay process printed an unexpected line: {ex.Message}", ex);
        }
    }

    /// <summary>Parses <c>relay listening tcp=HOST:PORT ws=HOST:PORT key=BASE64</c>.</summary>
    /// <exception cref="FormatException">The line is not a listening line.</exception>
    internal static (IPEndPoint Tcp, IPEndPoint WebSocket, byte[] Key) ParseListening(string line)
    {
        IPEndPoint? tcp = null, webSocket = null;
        byte[]? key = null;
        foreach (var field in line[ListeningPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = field.Split('=', 2);
            if (pair.Length != 2)
            {
                continue;
            }

            switch (pair[0])
            {
                case "tcp" when IPEndPoint.TryParse(pair[1], out var parsed):
                    tcp = parsed;
                    break;
                case "ws" when IPEndPoint.TryParse(pair[1], out var parsed):
                    webSocket = parsed;
                    break;
                case "key":
                    key = Convert.FromBase64String(pair[1]);
                    break;
            }
        }

        return tcp is not null && webSocket is not null && key is { Length: 32 }
            ? (tcp, webSocket, key)
            : throw new FormatException($"not a relay listening line: {line}");
    }

    /// <summary><c>kill -9</c>: no shutdown, no flush.</summary>
    public Task KillAsync() => Process.KillAsync();

    /// <summary>Stops the relay process (SIGTERM, then SIGKILL).</summary>
    public ValueTask DisposeAsync() => Process.DisposeAsync();
}

/// <summary>Where a relay process listens and the WebSocket secret it checks tokens with, when they are chosen for it.</summary>
/// <param name="TcpPort">The loopback Noise/TCP port.</param>
/// <param name="WebSocketPort">The loopback WebSocket gateway port.</param>
/// <param name="WebSocketSecret">The <c>--ws-secret</c> (at least 16 characters).</param>
public sealed record RelayListeners(int TcpPort, int WebSocketPort, string WebSocketSecret);
