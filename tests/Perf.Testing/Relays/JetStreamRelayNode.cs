using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Routing;
using Relay.Store.Nats;

namespace Perf.Testing.Relays;

/// <summary>An in-process relay node on loopback (Noise/TCP only) with its own JetStream store on a shared NATS; nodes of one test share the relay key, which the test owns.</summary>
public sealed class JetStreamRelayNode : IAsyncDisposable
{
    private readonly TestRelay _relay;

    private JetStreamRelayNode(TestRelay relay, JetStreamMailboxStore store)
    {
        _relay = relay;
        Store = store;
    }

    /// <summary>The relay.</summary>
    public Relay.Server.RelayServer Server => _relay.Server;

    /// <summary>Its store.</summary>
    public JetStreamMailboxStore Store { get; }

    /// <summary>The relay's public key, to pin.</summary>
    public byte[] RelayKey => _relay.Key.PublicKey.ToArray();

    /// <summary>Connects to <paramref name="natsUrl"/> with a store of <paramref name="replicas"/> (and its <paramref name="publishWindow"/>) and starts a relay on it with <paramref name="key"/>.</summary>
    public static async Task<JetStreamRelayNode> StartAsync(string natsUrl, X25519KeyPair key, MailboxLimits? limits = null, int replicas = 1, TimeSpan publishWindow = default)
    {
        var store = await JetStreamMailboxStore.ConnectAsync(new JetStreamStoreOptions { Url = natsUrl, Limits = limits ?? new MailboxLimits(), Replicas = replicas, PublishWindow = publishWindow });
        var relay = await TestRelay.StartAsync(key, ownsKey: false, o => o with { WebSocketEndPoint = null, Store = store }, store);
        return new JetStreamRelayNode(relay, store);
    }

    /// <summary>Connects <paramref name="identity"/> over Noise/TCP.</summary>
    public Task<RelayClientConnection> ConnectAsync(X25519KeyPair identity) => _relay.TcpAsync(identity);

    /// <summary>Stops the relay, then its store.</summary>
    public ValueTask DisposeAsync() => _relay.DisposeAsync();
}
