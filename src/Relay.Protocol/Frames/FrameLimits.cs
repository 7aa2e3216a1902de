namespace Relay.Protocol.Frames;

/// <summary>Limits the frame reader enforces; options with defaults, not constants in the code.</summary>
public sealed record FrameLimits
{
    /// <summary>The default limits.</summary>
    public static FrameLimits Default { get; } = new();

    /// <summary>Largest envelope, in bytes. The default leaves room for the frame header and the Noise tag within one 65535-byte Noise message.</summary>
    public int MaxEnvelopeBytes { get; init; } = 65_000;

    /// <summary>Largest ERROR reason, in bytes.</summary>
    public int MaxReasonBytes { get; init; } = 200;
}
