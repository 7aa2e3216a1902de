using Perf.Load.Processes;

namespace Perf.Testing.Processes;

/// <summary>
/// A real <c>nats-server -js</c> on a free loopback port with its own temporary store folder (the
/// harness's one-node <see cref="NatsCluster"/>): it can be killed (-9) and started again on the
/// same port and folder. Tests skip, saying why, where nats-server is not installed.
/// </summary>
public sealed class JetStreamServer : IAsyncDisposable
{
    private readonly NatsCluster _node;

    private JetStreamServer(NatsCluster node) => _node = node;

    /// <summary>The server's URL, <c>nats://127.0.0.1:PORT</c>.</summary>
    public string Url => _node.Urls;

    /// <summary>Starts one, or skips the test where nats-server is missing.</summary>
    public static async Task<JetStreamServer> StartAsync()
    {
        Skip.If(NatsServerBinary.Find() is null, NatsServerBinary.NotInstalled);
        return new JetStreamServer(await NatsCluster.StartAsync(1, CancellationToken.None));
    }

    /// <summary>Starts the server again on the same port and store folder and waits until it accepts connections.</summary>
    public Task RestartAsync() => _node.StartNodeAsync(0, CancellationToken.None);

    /// <summary>kill -9.</summary>
    public Task KillAsync() => _node.KillAsync(0);

    /// <summary>Stops the server and deletes its store.</summary>
    public ValueTask DisposeAsync() => _node.DisposeAsync();
}
