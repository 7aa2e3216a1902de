using System.Net.WebSockets;
using Relay.Crypto.Noise;
using Relay.Protocol.Frames;
using Relay.Protocol.Tokens;

namespace Relay.Server.Logging;

/// <summary>Why the relay refused or closed a connection for bad input or a limit (docs/relay.md, "Logging").</summary>
internal enum CloseReason
{
    /// <summary>Refused: the relay is at <see cref="RelayOptions.MaxConnections"/>.</summary>
    ConnectionLimit,

    /// <summary>Refused before any byte was read: the source's handshake budget is spent.</summary>
    HandshakeRate,

    /// <summary>Refused: the source is at its anonymous-connection cap (TCP: ERROR <c>SourceLimit</c>; WebSocket: HTTP 429).</summary>
    AnonymousLimit,

    /// <summary>The Noise handshake or WebSocket upgrade did not finish in time.</summary>
    HandshakeTimeout,

    /// <summary>The peer reset the connection during the handshake (an end of stream is <see cref="HandshakeTruncated"/>).</summary>
    HandshakeAbandoned,

    /// <summary>The stream ended before a whole handshake message: garbage, or a peer that closed mid-handshake.</summary>
    HandshakeTruncated,

    /// <summary>A handshake message out of order or over its limits (garbage).</summary>
    HandshakeMalformed,

    /// <summary>A handshake message's tag did not verify.</summary>
    HandshakeDecryptFailed,

    /// <summary>A low-order or otherwise unusable public key in the handshake.</summary>
    HandshakeInvalidKey,

    /// <summary>A WebSocket-listener connection that closed before a whole HTTP request arrived (silence past the upgrade timeout, garbage, or the peer left).</summary>
    UpgradeAbandoned,

    /// <summary>A request to <c>/ws</c> that is not a WebSocket upgrade (HTTP 400).</summary>
    NotWebSocket,

    /// <summary>A bearer token not in the token's form (HTTP 401).</summary>
    TokenMalformed,

    /// <summary>A bearer token not signed by this relay (HTTP 401).</summary>
    TokenBadSignature,

    /// <summary>A bearer token past its expiry (HTTP 401).</summary>
    TokenExpired,

    /// <summary>A frame shorter than its type requires (ERROR 1).</summary>
    FrameTruncated,

    /// <summary>An unknown frame type (ERROR 2).</summary>
    FrameUnknownType,

    /// <summary>Bytes after a frame's last field (ERROR 3).</summary>
    FrameTrailingBytes,

    /// <summary>An envelope over the limit (ERROR 4).</summary>
    FrameEnvelopeTooLarge,

    /// <summary>Flag bits that must be zero (ERROR 5).</summary>
    FrameBadFlags,

    /// <summary>A frame a client may not send (ERROR 6).</summary>
    FrameUnexpectedType,

    /// <summary>Any other frame error the parser reports.</summary>
    FrameMalformed,

    /// <summary>A Noise transport message whose tag did not verify (tampered or garbage bytes).</summary>
    TransportDecryptFailed,

    /// <summary>The connection closed in the middle of a Noise transport message.</summary>
    TransportTruncated,

    /// <summary>A Noise transport message over the limit.</summary>
    TransportMalformed,

    /// <summary>A text WebSocket message (close status InvalidMessageType).</summary>
    WebSocketTextMessage,

    /// <summary>A WebSocket message over the limit (close status MessageTooBig).</summary>
    WebSocketMessageTooBig,

    /// <summary>A WebSocket framing error (bad masking, a bad close frame, ...).</summary>
    WebSocketProtocol,
}

/// <summary>Which counter a <see cref="CloseReason"/> goes to.</summary>
internal enum CloseKind
{
    /// <summary><c>relay.connections.refused</c>: a limit closed it.</summary>
    Refused,

    /// <summary><c>relay.handshakes.failed</c>: the Noise handshake or WebSocket upgrade failed.</summary>
    HandshakeFailed,

    /// <summary><c>relay.connections.bad_input</c>: a bad frame or transport message after the handshake.</summary>
    BadInput,
}

/// <summary>The metric tag, counter and one-line description of each <see cref="CloseReason"/>; no secrets, no payload bytes.</summary>
internal static class CloseReasons
{
    /// <summary>The reason's counter, its <c>reason</c> tag in /metrics and log lines, and what it means.</summary>
    public static (CloseKind Kind, string Tag, string Description) Describe(CloseReason reason) => reason switch
    {
        CloseReason.ConnectionLimit => (CloseKind.Refused, "connection_limit", "the relay is at its connection limit"),
        CloseReason.HandshakeRate => (CloseKind.Refused, "handshake_rate", "the source's handshake budget is spent; closed before any byte was read"),
        CloseReason.AnonymousLimit => (CloseKind.Refused, "anonymous_limit", "the source is at its cap of anonymous connections"),
        CloseReason.HandshakeTimeout => (CloseKind.HandshakeFailed, "handshake_timeout", "the handshake did not finish in time"),
        CloseReason.HandshakeAbandoned => (CloseKind.HandshakeFailed, "handshake_abandoned", "the peer reset the connection during the handshake"),
        CloseReason.HandshakeTruncated => (CloseKind.HandshakeFailed, "handshake_truncated", "the stream ended before a whole handshake message (garbage, or the peer closed)"),
        CloseReason.HandshakeMalformed => (CloseKind.HandshakeFailed, "handshake_malformed", "a handshake message out of order or over its limits"),
        CloseReason.HandshakeDecryptFailed => (CloseKind.HandshakeFailed, "handshake_decrypt_failed", "a handshake message's tag did not verify"),
        CloseReason.HandshakeInvalidKey => (CloseKind.HandshakeFailed, "handshake_invalid_key", "an unusable public key in the handshake"),
        CloseReason.UpgradeAbandoned => (CloseKind.HandshakeFailed, "upgrade_abandoned", "closed before a whole HTTP request arrived: silence past the upgrade timeout, garbage, or the peer left"),
        CloseReason.NotWebSocket => (CloseKind.HandshakeFailed, "not_websocket", "a request to /ws that is not a WebSocket upgrade (HTTP 400)"),
        CloseReason.TokenMalformed => (CloseKind.HandshakeFailed, "token_malformed", "a bearer token not in the token's form (HTTP 401)"),
        CloseReason.TokenBadSignature => (CloseKind.HandshakeFailed, "token_bad_signature", "a bearer token not signed by this relay (HTTP 401)"),
        CloseReason.TokenExpired => (CloseKind.HandshakeFailed, "token_expired", "a bearer token past its expiry (HTTP 401)"),
        CloseReason.FrameTruncated => (CloseKind.BadInput, "frame_truncated", "a frame shorter than its type requires (ERROR 1)"),
        CloseReason.FrameUnknownType => (CloseKind.BadInput, "frame_unknown_type", "an unknown frame type (ERROR 2)"),
        CloseReason.FrameTrailingBytes => (CloseKind.BadInput, "frame_trailing_bytes", "bytes after a frame's last field (ERROR 3)"),
        CloseReason.FrameEnvelopeTooLarge => (CloseKind.BadInput, "frame_envelope_too_large", "an envelope over the limit (ERROR 4)"),
        CloseReason.FrameBadFlags => (CloseKind.BadInput, "frame_bad_flags", "flag bits that must be zero are set (ERROR 5)"),
        CloseReason.FrameUnexpectedType => (CloseKind.BadInput, "frame_unexpected_type", "a frame a client may not send (ERROR 6)"),
        CloseReason.FrameMalformed => (CloseKind.BadInput, "frame_malformed", "a frame the parser refused"),
        CloseReason.TransportDecryptFailed => (CloseKind.BadInput, "transport_decrypt_failed", "a Noise transport message's tag did not verify"),
        CloseReason.TransportTruncated => (CloseKind.BadInput, "transport_truncated", "the connection closed in the middle of a Noise message"),
        CloseReason.TransportMalformed => (CloseKind.BadInput, "transport_malformed", "a Noise transport message over the limit"),
        CloseReason.WebSocketTextMessage => (CloseKind.BadInput, "websocket_text_message", "a text WebSocket message (close status 1003)"),
        CloseReason.WebSocketMessageTooBig => (CloseKind.BadInput, "websocket_message_too_big", "a WebSocket message over the limit (close status 1009)"),
        CloseReason.WebSocketProtocol => (CloseKind.BadInput, "websocket_protocol", "a WebSocket framing error"),
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "every reason is described above"),
    };

    /// <summary>The reason for a failed Noise handshake.</summary>
    public static CloseReason OfHandshake(NoiseError error) => error switch
    {
        NoiseError.Timeout => CloseReason.HandshakeTimeout,
        NoiseError.Truncated => CloseReason.HandshakeTruncated,
        NoiseError.DecryptFailed => CloseReason.HandshakeDecryptFailed,
        NoiseError.InvalidPublicKey => CloseReason.HandshakeInvalidKey,
        _ => CloseReason.HandshakeMalformed,
    };

    /// <summary>The reason for a Noise transport message that failed after the handshake.</summary>
    public static CloseReason OfTransport(NoiseError error) => error switch
    {
        NoiseError.DecryptFailed => CloseReason.TransportDecryptFailed,
        NoiseError.Truncated => CloseReason.TransportTruncated,
        _ => CloseReason.TransportMalformed,
    };

    /// <summary>The reason for a frame the parser refused (or a WebSocket message the transport refused).</summary>
    public static CloseReason OfFrame(FrameError error) => error switch
    {
        FrameError.Truncated => CloseReason.FrameTruncated,
        FrameError.UnknownType => CloseReason.FrameUnknownType,
        FrameError.TrailingBytes => CloseReason.FrameTrailingBytes,
        FrameError.EnvelopeTooLarge => CloseReason.FrameEnvelopeTooLarge,
        FrameError.BadFlags => CloseReason.FrameBadFlags,
        FrameError.UnexpectedType => CloseReason.FrameUnexpectedType,
        _ => CloseReason.FrameMalformed,
    };

    /// <summary>The reason for a WebSocket message the transport refused.</summary>
    public static CloseReason OfWebSocket(WebSocketCloseStatus status) =>
        status == WebSocketCloseStatus.MessageTooBig ? CloseReason.WebSocketMessageTooBig : CloseReason.WebSocketTextMessage;

    /// <summary>The reason for a refused bearer token.</summary>
    public static CloseReason OfToken(TokenCheck check) => check switch
    {
        TokenCheck.Expired => CloseReason.TokenExpired,
        TokenCheck.BadSignature => CloseReason.TokenBadSignature,
        _ => CloseReason.TokenMalformed,
    };
}
