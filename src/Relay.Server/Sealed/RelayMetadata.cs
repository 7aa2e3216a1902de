using System.Collections.Concurrent;
using Relay.Crypto.Sealed;
using Relay.Protocol.Frames;
using Relay.Server.Audit;

namespace Relay.Server.Sealed;

/// <summary>
/// What the relay keeps for sealed sender, conversation mailboxes and its audit log, shared by
/// every connection: the certificate issuer (its Ed25519 key derived from the relay's static key),
/// the delivery-token verifier each identity registered (kept <see cref="RelayOptions.DeliveryVerifierLifetime"/>
/// after its last registration, whether or not the identity's mailbox still exists), the limits of
/// conversation mailboxes (which need no state here: their addresses carry their proofs), the
/// audit log, and the numbering of connections.
/// </summary>
internal sealed class RelayMetadata : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Identity, Registration> _verifiers = new();
    private readonly long _verifierLifetimeMilliseconds;
    private long _nextConnectionId;

    public RelayMetadata(RelayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Issuer = SenderCertificateIssuer.FromRelayKey(options.StaticKey ?? throw new ArgumentException("the relay needs a static key pair", nameof(options)));
        CertificateLifetime = options.SenderCertificateLifetime;
        MaxMailboxLifetime = options.MaxMailboxLifetime;
        MaxMessageAge = options.Mailbox.MaxAge;
        _verifierLifetimeMilliseconds = (long)options.DeliveryVerifierLifetime.TotalMilliseconds;
        Audit = options.AuditLogPath is { } path ? AuditLog.Open(path) : null;
    }

    public SenderCertificateIssuer Issuer { get; }

    public TimeSpan CertificateLifetime { get; }

    /// <summary>The furthest ahead an opened conversation mailbox may expire.</summary>
    public TimeSpan MaxMailboxLifetime { get; }

    /// <summary>How long a held message lives: a mailbox past its expiry by more than this holds nothing.</summary>
    public TimeSpan MaxMessageAge { get; }

    public AuditLog? Audit { get; }

    /// <summary>Delivery-token verifiers registered now.</summary>
    public int Verifiers => _verifiers.Count;

    /// <summary>The state of a new connection, numbered in the order connections were accepted.</summary>
    public ConnectionMetadata Connect(bool anonymous) => new(this, Interlocked.Increment(ref _nextConnectionId), anonymous);

    /// <summary>Registers (or replaces, restarting its lifetime) the verifier of <paramref name="identity"/>'s delivery token.</summary>
    public void SetVerifier(Identity identity, ReadOnlySpan<byte> verifier) => _verifiers[identity] = new Registration(verifier.ToArray(), Environment.TickCount64);

    /// <summary>Whether <paramref name="token"/> is the delivery token <paramref name="recipient"/> registered. Allocates nothing.</summary>
    public bool TokenMatches(Identity recipient, DeliveryToken token)
    {
        if (!_verifiers.TryGetValue(recipient, out var registration))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[DeliveryToken.Size];
        token.CopyTo(bytes);
        return DeliveryTokens.Matches(bytes, registration.Verifier);
    }

    /// <summary>Forgets verifiers registered more than their lifetime ago (the supervisor's sweep); returns how many.</summary>
    public int Sweep()
    {
        var now = Environment.TickCount64;
        var forgotten = 0;
        foreach (var (identity, registration) in _verifiers)
        {
            if (now - registration.AtMilliseconds >= _verifierLifetimeMilliseconds
                && _verifiers.TryRemove(new KeyValuePair<Identity, Registration>(identity, registration)))
            {
                forgotten++;
            }
        }

        return forgotten;
    }

    public async ValueTask DisposeAsync()
    {
        if (Audit is not null)
        {
            await Audit.DisposeAsync().ConfigureAwait(false);
        }

        Issuer.Dispose();
    }

    // One identity's verifier and when it was registered (Environment.TickCount64). A class, so a
    // sweep removes exactly the registration it saw, never one that replaced it meanwhile.
    private sealed record Registration(byte[] Verifier, long AtMilliseconds);
}
