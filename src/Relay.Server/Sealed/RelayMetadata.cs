using System.Collections.Concurrent;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;
using Relay.Server.Audit;

namespace Relay.Server.Sealed;

/// <summary>
/// What the relay keeps for sealed sender and for its audit log, shared by every connection: the
/// certificate issuer (its Ed25519 key derived from the relay's static key), the delivery-token
/// verifier each identity registered, the audit log, and the numbering of connections.
/// </summary>
internal sealed class RelayMetadata : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Identity, byte[]> _verifiers = new();
    private long _nextConnectionId;

    public RelayMetadata(RelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Issuer = SenderCertificateIssuer.FromRelayKey(options.StaticKey ?? throw new ArgumentException("the relay needs a static key pair", nameof(options)));
        CertificateLifetime = options.SenderCertificateLifetime;
        Audit = options.AuditLogPath is { } path ? AuditLog.Open(path) : null;
    }

    public SenderCertificateIssuer Issuer { get; }

    public TimeSpan CertificateLifetime { get; }

    public AuditLog? Audit { get; }

    /// <summary>The state of a new connection, numbered in the order connections were accepted.</summary>
    public ConnectionMetadata Connect(bool anonymous) => new(this, Interlocked.Increment(ref _nextConnectionId), anonymous);

    /// <summary>Registers (or replaces) the verifier of <paramref name="identity"/>'s delivery token.</summary>
    public void SetVerifier(Identity identity, ReadOnlySpan<byte> verifier) => _verifiers[identity] = verifier.ToArray();

    /// <summary>Whether <paramref name="token"/> is the delivery token <paramref name="recipient"/> registered. Allocates nothing.</summary>
    public bool TokenMatches(Identity recipient, DeliveryToken token)
    {
        if (!_verifiers.TryGetValue(recipient, out var verifier))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[DeliveryToken.Size];
        token.CopyTo(bytes);
        return DeliveryTokens.Matches(bytes, verifier);
    }

    public async ValueTask DisposeAsync()
    {
        if (Audit is not null)
        {
            await Audit.DisposeAsync().ConfigureAwait(false);
        }

        Issuer.Dispose();
    }
}
