using System.CommandLine;
using System.Net;
using Perf.Cli.Options;
using Relay.Crypto.KeyAgreement;
using Relay.Store.Nats;

namespace Perf.Cli.Relay;

/// <summary>
/// <c>perf relay</c>'s option groups, in the order <c>--help</c> lists them, and the one place
/// that reads them into a <see cref="RelaySettings"/>: each group checks its own options, in this
/// order, and the first problem is the command's one-line error.
/// </summary>
internal sealed record RelayArguments(
    RelayTransportArguments Transport,
    CipherArguments Cipher,
    RelaySecretArguments Secrets,
    RelayOutputArguments Output,
    RelayLimitArguments Limits,
    RelayAbuseArguments Abuse,
    StoreArguments Store)
{
    /// <summary>Every group, in <c>--help</c> order.</summary>
    public OptionGroup[] Groups => [Transport, Cipher, Secrets, Output, Limits, Abuse, Store];

    /// <summary>The settings (the caller then owns their key), or false with a one-line <paramref name="problem"/> (exit 2).</summary>
    public bool TryRead(ParseResult parseResult, out RelaySettings? settings, out string? problem)
    {
        settings = null;
        if (!Transport.TryRead(parseResult, out var transport, out problem) || !Secrets.TryReadSecret(parseResult, out var secret, out problem))
        {
            return false;
        }

        if (!Limits.TryRead(parseResult, out var limits, out var limitProblem) || !Abuse.TryRead(parseResult, out var abuse, out limitProblem))
        {
            problem = limitProblem;
            return false;
        }

        var cipher = Cipher.Read(parseResult);
        if (cipher.Unsupported is { } unsupported)
        {
            problem = $"--backend {cipher.Backend.Name} cannot run {cipher.Algorithm.Name} on this machine: {unsupported}.";
            return false;
        }

        if (!Output.TryRead(parseResult, out var output, out problem))
        {
            return false;
        }

        if (!Store.TryRead(parseResult, limits.Mailbox, out var store, out var storeProblem))
        {
            problem = storeProblem;
            return false;
        }

        // Last: a key file is created when absent, and the key must then be disposed.
        if (!Secrets.TryLoadKey(parseResult, out var key, out problem))
        {
            return false;
        }

        settings = new RelaySettings(transport.Tcp, transport.WebSocket, transport.Inline, cipher, key!, secret.Text, secret.Generated, output.Metrics, output.AuditLog, limits, abuse, store);
        return true;
    }
}

/// <summary>A <c>perf relay</c> command line, checked.</summary>
/// <param name="TcpEndPoint">The Noise/TCP listener.</param>
/// <param name="WebSocketEndPoint">The WebSocket gateway.</param>
/// <param name="InlineScheduling">Connection code runs on the thread that completed the socket read.</param>
/// <param name="Cipher">The Noise cipher and its backend.</param>
/// <param name="Key">The relay's static key (the caller disposes it).</param>
/// <param name="WsSecret">The WebSocket token secret.</param>
/// <param name="WsSecretGenerated">The secret was generated here (and is printed once).</param>
/// <param name="Metrics">Print a metrics line every second.</param>
/// <param name="AuditLog">The audit log's path, or <c>null</c>.</param>
/// <param name="Limits">Timeouts, connection and in-flight limits, the mailbox's limits.</param>
/// <param name="Abuse">Send rate, handshake budget, anonymous cap per source, close-log rate.</param>
/// <param name="Store">The JetStream store's settings, or <c>null</c> for memory.</param>
internal sealed record RelaySettings(
    IPEndPoint TcpEndPoint,
    IPEndPoint WebSocketEndPoint,
    bool InlineScheduling,
    CipherChoice Cipher,
    X25519KeyPair Key,
    string WsSecret,
    bool WsSecretGenerated,
    bool Metrics,
    string? AuditLog,
    RelayLimits Limits,
    AbuseLimits Abuse,
    JetStreamStoreOptions? Store);
