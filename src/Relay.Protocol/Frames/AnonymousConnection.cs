namespace Relay.Protocol.Frames;

/// <summary>
/// How a Noise/TCP client tells the relay that its static key is a throwaway and the connection
/// anonymous: the payload of the handshake's final message (XX message 3, encrypted, so an
/// eavesdropper cannot tell anonymous connections from others) is exactly
/// <see cref="HandshakePayload"/>. Any other payload (the empty one included) means an
/// authenticated connection whose identity is the static key. On the WebSocket gateway a request
/// with no credentials at all (no <c>Authorization</c> header, no <c>access_token</c>) is anonymous.
/// An anonymous connection has no mailbox and may send only SEALED_SEND and PING.
/// </summary>
public static class AnonymousConnection
{
    /// <summary>The one-byte payload <c>0x01</c> ("anonymous").</summary>
    public static ReadOnlyMemory<byte> HandshakePayload { get; } = new byte[] { 0x01 };

    /// <summary>Whether a received final handshake payload declares the connection anonymous.</summary>
    public static bool IsDeclared(ReadOnlySpan<byte> payload) => payload.Length == 1 && payload[0] == 0x01;
}
