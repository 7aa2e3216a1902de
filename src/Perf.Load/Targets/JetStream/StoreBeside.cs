using System.Globalization;
using Perf.Load.Engine;
using Perf.Load.Os;
using Perf.Load.Processes;

namespace Perf.Load.Targets.JetStream;

/// <summary>
/// The durable store a relay process runs on in a load run (<c>perf load --store</c>), read over
/// the same measured window as the relay: <c>nats</c> starts a <c>nats-server -js</c> for the run
/// (pinned to the relay's CPUs, as a store beside a relay shares its machine); a
/// <c>nats://HOST:PORT</c> on this machine's loopback is found by its listening port; anywhere
/// else it cannot be read (<see cref="Resources"/> is <c>null</c>).
/// </summary>
public sealed class StoreBeside : IAsyncDisposable
{
    private readonly JetStreamServerProcess? _started;
    private readonly ListeningProcess? _found;

    private StoreBeside(string url, JetStreamServerProcess? started, ListeningProcess? found, CpuSet? cpus)
    {
        Url = url;
        _started = started;
        _found = found;
        Cpus = started is null ? null : cpus;
    }

    /// <summary>What the relay's <c>--store</c> is.</summary>
    public string Url { get; }

    /// <summary>The store's process to read, or <c>null</c> when it is not on this machine (or not readable).</summary>
    public IProcessResources? Resources => (IProcessResources?)_started?.Process ?? _found;

    /// <summary>What runs there: <c>nats-server</c>.</summary>
    public string Name => _started?.Process.Name ?? _found?.Name ?? "nats-server";

    /// <summary>The CPUs it was pinned to, when this command started it pinned.</summary>
    public CpuSet? Cpus { get; }

    /// <summary>For the run's description: where the store is and whether it is measured.</summary>
    public string Description => _started is { } server
        ? $"{Url} (nats-server -js started beside it, process {server.Process.ProcessId.ToString(CultureInfo.InvariantCulture)}{(Cpus is { } cpus ? $", CPUs {cpus}" : "")})"
        : _found is { } found
            ? $"{Url} ({found.Name}, process {found.ProcessId.ToString(CultureInfo.InvariantCulture)}, found by its port; measured)"
            : $"{Url} (not a process on this machine's loopback: not measured)";

    /// <summary>
    /// The store for <paramref name="store"/>: <c>null</c> for none (memory), a started
    /// <c>nats-server -js</c> for <c>nats</c>, else the URL and, when it is one loopback address,
    /// the process listening there.
    /// </summary>
    /// <exception cref="LoadTargetException">nats-server is not installed or did not start.</exception>
    public static async Task<StoreBeside?> OpenAsync(string? store, CpuSet? cpus, CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return null;
        }

        if (store == "nats")
        {
            var server = await JetStreamServerProcess.StartAsync(cpus, cancellationToken).ConfigureAwait(false);
            return new StoreBeside(server.Url, server, null, cpus);
        }

        var found = !store.Contains(',', StringComparison.Ordinal) && Uri.TryCreate(store, UriKind.Absolute, out var uri) && uri.Port > 0
            && (uri.IsLoopback || uri.Host == "localhost")
            ? ListeningProcess.Find(uri.Port)
            : null;
        return new StoreBeside(store, null, found, null);
    }

    /// <summary>Stops a server this command started; lets go of one it found.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_started is not null)
        {
            await _started.DisposeAsync().ConfigureAwait(false);
        }

        _found?.Dispose();
    }
}
