using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Perf.Load.Engine;
using Relay.Client;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;

namespace Perf.Load.Targets.Relay;

/// <summary>
/// A relay (<c>perf relay</c>) in its own process, started for one load command, so that its CPU
/// time and memory can be read apart from the generator's: the measurements capacity planning needs.
/// </summary>
public sealed class RelayChildProcess : ITargetResources, IAsyncDisposable
{
    private const string ListeningPrefix = "relay listening ";
    private readonly Process _process;

    private RelayChildProcess(Process process, IPEndPoint tcp, IPEndPoint webSocket, byte[] key, byte[] secret)
    {
        _process = process;
        TcpEndPoint = tcp;
        WebSocketEndPoint = webSocket;
        RelayKey = key;
        WebSocketSecret = secret;
    }

    /// <summary>The Noise/TCP endpoint.</summary>
    public IPEndPoint TcpEndPoint { get; }

    /// <summary>The WebSocket gateway endpoint.</summary>
    public IPEndPoint WebSocketEndPoint { get; }

    /// <summary>The relay's static public key, to pin.</summary>
    public byte[] RelayKey { get; }

    /// <summary>The WebSocket token secret this run generated.</summary>
    public byte[] WebSocketSecret { get; }

    /// <summary>The child's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts <c>perf relay</c> on free loopback ports: <paramref name="perfCommand"/> is how to run
    /// <c>perf</c> (file name and leading arguments); this adds the relay arguments and waits for
    /// its listening line.
    /// </summary>
    /// <param name="perfCommand">How to run <c>perf</c>.</param>
    /// <param name="cipher">The relay's <c>--cipher</c>.</param>
    /// <param name="backend">The relay's <c>--backend</c>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="extraArguments">More <c>perf relay</c> options (e.g. <c>--audit-log FILE</c>).</param>
    /// <exception cref="LoadTargetException">The relay did not start or did not print its listening line in time.</exception>
    public static async Task<RelayChildProcess> StartAsync(ProcessStartInfo perfCommand, string cipher, string backend, CancellationToken cancellationToken, IEnumerable<string>? extraArguments = null)
    {
        ArgumentNullException.ThrowIfNull(perfCommand);
        // A fresh secret per run: it exists only for this run's tokens, on loopback.
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        foreach (var argument in (string[])["relay", "--tcp", "127.0.0.1:0", "--ws", "127.0.0.1:0", "--cipher", cipher, "--backend", backend, "--ws-secret", secret, .. extraArguments ?? []])
        {
            perfCommand.ArgumentList.Add(argument);
        }

        perfCommand.RedirectStandardOutput = true;
        perfCommand.RedirectStandardError = true;
        perfCommand.UseShellExecute = false;
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = new Process { StartInfo = perfCommand, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith(ListeningPrefix, StringComparison.Ordinal) == true)
            {
                listening.TrySetResult(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                errors.Enqueue(line);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new LoadTargetException($"the relay process exited before listening: {string.Join(" / ", errors)}"));
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new LoadTargetException($"cannot start the relay process {perfCommand.FileName}: {ex.Message}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var line = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            var (tcp, webSocket, key) = ParseListening(line);
            return new RelayChildProcess(process, tcp, webSocket, key, System.Text.Encoding.UTF8.GetBytes(secret));
        }
        catch (Exception ex) when (ex is TimeoutException or LoadTargetException or FormatException or OperationCanceledException)
        {
            Stop(process);
            throw ex as LoadTargetException ?? new LoadTargetException($"the relay process did not start: {ex.Message}");
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

    /// <inheritdoc />
    public TargetResourceSample Sample()
    {
        _process.Refresh();
        return new TargetResourceSample(_process.TotalProcessorTime, _process.WorkingSet64, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// The relay's resident memory per idle authenticated connection (Noise/TCP, or WebSocket with
    /// a token): opens <paramref name="connections"/> connections, reads the relay's memory, opens as
    /// many again and reads it again; the growth between the two readings divided by the second
    /// batch is the marginal cost of a connection, free of start-up and first-use costs. Idle
    /// connections are what most of a messenger's connections are. Meant for a fresh relay: one
    /// that just carried load has free heap that hides the growth.
    /// </summary>
    public async Task<double> MeasureMemoryPerConnectionAsync(int connections, bool webSocket, AeadAlgorithm cipher, AeadBackend backend, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connections, 1);
        var options = new RelayClientOptions { Cipher = cipher, Backend = backend, RelayKey = RelayKey };
        var open = new List<RelayClientConnection>(2 * connections);
        var identities = new List<X25519KeyPair>(2 * connections);
        try
        {
            await OpenIdleAsync(connections, webSocket, options, open, identities, cancellationToken).ConfigureAwait(false);
            var first = await SettledSampleAsync(cancellationToken).ConfigureAwait(false);
            await OpenIdleAsync(connections, webSocket, options, open, identities, cancellationToken).ConfigureAwait(false);
            var second = await SettledSampleAsync(cancellationToken).ConfigureAwait(false);
            return Math.Max(0, second.ResidentBytes - first.ResidentBytes) / (double)connections;
        }
        finally
        {
            foreach (var connection in open)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var identity in identities)
            {
                identity.Dispose();
            }
        }
    }

    private async Task OpenIdleAsync(int count, bool webSocket, RelayClientOptions options, List<RelayClientConnection> open, List<X25519KeyPair> identities, CancellationToken cancellationToken)
    {
        for (var i = 0; i < count; i++)
        {
            var identity = X25519KeyPair.Generate();
            identities.Add(identity);
            open.Add(webSocket
                ? await RelayClientConnection.ConnectWebSocketAsync(
                    new Uri(string.Create(CultureInfo.InvariantCulture, $"ws://{WebSocketEndPoint}/ws")),
                    RelayToken.Mint(new Identity(identity.PublicKey), DateTimeOffset.UtcNow.AddHours(1), WebSocketSecret),
                    options,
                    cancellationToken).ConfigureAwait(false)
                : await RelayClientConnection.ConnectTcpAsync(TcpEndPoint, identity, options, cancellationToken).ConfigureAwait(false));
        }
    }

    // Lets the relay finish each connection's setup before reading its memory.
    private async Task<TargetResourceSample> SettledSampleAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
        return Sample();
    }

    /// <summary>Stops the relay process.</summary>
    public ValueTask DisposeAsync()
    {
        Stop(_process);
        return ValueTask.CompletedTask;
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }

        process.Dispose();
    }
}
