using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Relay.Protocol.Tokens;
using Relay.Protocol.Transports;
using Relay.Server.Limits;
using Relay.Server.Logging;

namespace Relay.Server.Connections;

/// <summary>
/// The WebSocket gateway at <c>/ws</c>: a bearer token (the <c>Authorization</c> header or the
/// <c>access_token</c> query parameter) names the identity; an <c>Authorization</c> header without
/// a bearer token, a malformed token, a bad signature or an expired token gets HTTP 401 and nothing
/// else; a request with no credentials at all (no <c>Authorization</c> header, no
/// <c>access_token</c>) is an anonymous connection (sealed sender and conversation mailboxes),
/// refused with HTTP 429 when its source is at its anonymous cap. Then binary messages carry the same frames, routed by the same
/// rules as TCP. Every refusal is counted and logged once by the close log.
/// </summary>
internal static class WebSocketEndpoint
{
    public static async Task HandleAsync(HttpContext context, RelayState state, ILogger logger)
    {
        // Set by ConnectionAdmission in front of the listener (connection features reach the request).
        var ticket = context.Features.Get<HandshakeTicket>();
        var peer = new PeerInfo(context.Connection.Id, ticket?.Source ?? state.Sources.SourceOf(context.Connection.RemoteIpAddress));
        if (!context.WebSockets.IsWebSocketRequest)
        {
            state.CloseLog.Closed(CloseReason.NotWebSocket, peer.ConnectionId, peer.Source);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("a WebSocket upgrade is required at /ws").ConfigureAwait(false);
            return;
        }

        var token = BearerToken(context);
        var anonymous = token is null && !context.Request.Headers.ContainsKey("Authorization");
        var identity = default(Relay.Protocol.Frames.Identity);
        var check = anonymous ? TokenCheck.Valid : RelayToken.Verify(token, state.Options.WebSocketSecret, DateTimeOffset.UtcNow, out identity);
        if (check != TokenCheck.Valid)
        {
            state.CloseLog.Closed(CloseReasons.OfToken(check), peer.ConnectionId, peer.Source);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        if (ticket?.Finish(anonymous) == false)
        {
            state.CloseLog.Closed(CloseReason.AnonymousLimit, peer.ConnectionId, peer.Source);
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var transport = new WebSocketFrameTransport(socket, state.Options.MaxWebSocketMessageBytes);
        // Not RequestAborted: a peer's close must not cut off the messages that arrived before it.
        await new RelayConnection(identity, transport, state, logger, state.Metadata.Connect(anonymous), peer).RunAsync().ConfigureAwait(false);
    }

    private static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        return context.Request.Query["access_token"].ToString() is { Length: > 0 } query ? query : null;
    }
}
