using Relay.Crypto.KeyAgreement;

namespace Relay.Crypto.E2e;

/// <summary>
/// Establishes E2E sessions in memory, for load tools and tests: measured messages then carry the
/// short steady-state header, as in a long-running conversation.
/// </summary>
public static class E2eSessionSetup
{
    /// <summary>
    /// The recipient accepts the initiator's first message and answers once, so both sides
    /// reach steady state (the initiator's prekey flag is off). Returns the recipient's session.
    /// </summary>
    /// <exception cref="InvalidOperationException">The exchange failed (a bug, not an input error).</exception>
    public static E2eSession Establish(E2eSession initiator, X25519KeyPair recipient, E2eSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(initiator);
        ArgumentNullException.ThrowIfNull(recipient);
        var first = new byte[initiator.GetEnvelopeSize(1)];
        initiator.Seal([0], first);
        if (E2eSession.TryAccept(recipient, first, options, out var receiver) != E2eError.None || receiver!.TryOpen(first, new byte[first.Length], out _) != E2eError.None)
        {
            throw new InvalidOperationException("E2E session setup failed in memory.");
        }

        var reply = new byte[receiver.GetEnvelopeSize(1)];
        receiver.Seal([0], reply);
        if (initiator.TryOpen(reply, new byte[reply.Length], out _) != E2eError.None)
        {
            throw new InvalidOperationException("E2E session setup failed in memory.");
        }

        return receiver;
    }
}
