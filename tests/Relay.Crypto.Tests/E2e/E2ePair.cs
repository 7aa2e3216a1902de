using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;

namespace Relay.Crypto.Tests.E2e;

/// <summary>Alice (initiator) and Bob (recipient) with a session established by Alice's first message.</summary>
internal sealed class E2ePair : IDisposable
{
    public E2ePair(E2eSessionOptions options)
    {
        Options = options;
        Alice = X25519KeyPair.Generate();
        Bob = X25519KeyPair.Generate();
        AliceSession = E2eSession.Initiate(Alice, Bob.PublicKey, options);
    }

    public E2eSessionOptions Options { get; }

    public X25519KeyPair Alice { get; }

    public X25519KeyPair Bob { get; }

    public E2eSession AliceSession { get; }

    public E2eSession? BobSession { get; private set; }

    public static E2eSessionOptions Options_(string algorithm, string backend) =>
        new() { Algorithm = AeadAlgorithm.Parse(algorithm), Backend = AeadBackend.Parse(backend) };

    public byte[] SealFromAlice(ReadOnlySpan<byte> plaintext) => Seal(AliceSession, plaintext);

    public static byte[] Seal(E2eSession session, ReadOnlySpan<byte> plaintext)
    {
        var envelope = new byte[session.GetEnvelopeSize(plaintext.Length)];
        Assert.Equal(envelope.Length, session.Seal(plaintext, envelope));
        return envelope;
    }

    /// <summary>Bob opens (accepting the session on the first prekey message).</summary>
    public E2eError BobOpens(byte[] envelope, out byte[] plaintext)
    {
        if (BobSession is null)
        {
            var accepted = E2eSession.TryAccept(Bob, envelope, Options, out var session);
            if (accepted != E2eError.None)
            {
                plaintext = [];
                return accepted;
            }

            BobSession = session;
        }

        return Open(BobSession!, envelope, out plaintext);
    }

    public static E2eError Open(E2eSession session, byte[] envelope, out byte[] plaintext)
    {
        var buffer = new byte[envelope.Length];
        var error = session.TryOpen(envelope, buffer, out var written);
        plaintext = buffer[..written];
        return error;
    }

    public void Dispose()
    {
        AliceSession.Dispose();
        BobSession?.Dispose();
        Alice.Dispose();
        Bob.Dispose();
    }
}
