using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Relay.Protocol.Tokens;
using Relay.Protocol.Transports;

namespace Relay.Server.Connections;

/// <summary>
/// The WebSocket gateway at <c>/ws</c>: a bearer token (the <c>Authorization</c> header or the
/// <c>access_token</c> query parameter) names the identity; no token, a bad signature or an
/// expired token gets HTTP 401 and nothing else; a request with no credentials at all is an
/// anonymous connection (sealed sender: SEALED_SEND and PING only). Then binary messages carry the same frames,
/// routed by the same rules as TCP.
/// </summary>
internal static class WebSocketEndpoint
{
    public static async Task HandleAsync(HttpContext context, RelayState state, ILogger logger)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
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
            logger.LogInformation("WebSocket upgrade refused from {Remote}: token {Check}", context.Connection.RemoteIpAddress, check);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        using var scope = logger.BeginScope("websocket {ConnectionId}", context.Connection.Id);
        var transport = new WebSocketFrameTransport(socket, state.Options.MaxWebSocketMessageBytes);
        await new RelayConnection(identity, transport, state.Router, state.Metrics, state.Options.Frames, logger, state.Metadata.Connect(anonymous)).RunAsync(context.RequestAborted).ConfigureAwait(false);
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
