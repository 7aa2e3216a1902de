namespace Perf.Load.Impairment;

/// <summary>
/// The bytes one direction of a connection holds while they are delayed, and a record of each
/// chunk (one read from the sending socket): where it lies and when it may leave. Both are rings;
/// a chunk never wraps, because each read fills only contiguous free space.
/// </summary>
internal sealed class LinkBuffer
{
    // One chunk record per 128 bytes: a stream of small messages fills bytes and records together.
    private const int BytesPerChunkRecord = 128;

    /// <summary>A buffer of <paramref name="bytes"/> bytes.</summary>
    public LinkBuffer(int bytes)
    {
        Bytes = GC.AllocateUninitializedArray<byte>(bytes);
        Chunks = new Chunk[Math.Max(16, bytes / BytesPerChunkRecord)];
    }

    /// <summary>The bytes.</summary>
    public byte[] Bytes { get; }

    /// <summary>The chunk records.</summary>
    public Chunk[] Chunks { get; }
}

/// <summary>One read's bytes in a <see cref="LinkBuffer"/>, and when they may be written on.</summary>
internal struct Chunk
{
    /// <summary>Where the bytes not yet written begin.</summary>
    public int Offset;

    /// <summary>How many bytes are not yet written.</summary>
    public int Length;

    /// <summary>When the chunk may leave (Stopwatch ticks).</summary>
    public long ReleaseTicks;
}
