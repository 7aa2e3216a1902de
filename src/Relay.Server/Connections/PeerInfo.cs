using Relay.Server.Limits;

namespace Relay.Server.Connections;

/// <summary>A connection's Kestrel id and source address: what the close log says about it (never its identity).</summary>
internal readonly record struct PeerInfo(string ConnectionId, SourceAddress Source);
