namespace Perf.Load.Impairment;

/// <summary>Limits of an <see cref="ImpairmentProxy"/> (its memory per connection and its patience), with defaults.</summary>
public sealed record ImpairmentProxyOptions
{
    /// <summary>The buffer a direction takes when bytes arrive (a power of two; 16 KiB).</summary>
    public int MinBufferBytes { get; init; } = 16 * 1024;

    /// <summary>
    /// The most a direction holds while it delays bytes (a power of two; 1 MiB): the bytes in
    /// flight on the simulated link. Beyond it the direction stops reading and the sender's socket
    /// fills, so a connection costs at most twice this plus its sockets' buffers.
    /// </summary>
    public int MaxBufferBytes { get; init; } = 1024 * 1024;

    /// <summary>Send and receive buffer of the proxy's own sockets (64 KiB): bounds the kernel's share and passes backpressure on promptly.</summary>
    public int SocketBufferBytes { get; init; } = 64 * 1024;

    /// <summary>How long connecting to the upstream may take before the client is reset (10 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
