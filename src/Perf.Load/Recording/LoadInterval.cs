using HdrHistogram;

namespace Perf.Load.Recording;

/// <summary>
/// One interval of one stage, for the <c>.hlog</c> interval log, kept compressed (HdrHistogram's
/// own encoding, as the log stores it): a full histogram up to an hour at 3 digits is ~190 KB,
/// so a copy per stage per second was ~1 MB/s of large-object garbage and 4 GB over an hour's run;
/// compressed an interval is a few hundred bytes to a few KB.
/// </summary>
public sealed class LoadInterval
{
    private readonly byte[] _compressed;

    private LoadInterval(byte[] compressed, long startTimeStamp, long endTimeStamp)
    {
        _compressed = compressed;
        StartTimeStamp = startTimeStamp;
        EndTimeStamp = endTimeStamp;
    }

    /// <summary>When the interval began (Unix ms).</summary>
    public long StartTimeStamp { get; }

    /// <summary>When it ended (Unix ms).</summary>
    public long EndTimeStamp { get; }

    /// <summary>Bytes kept for it.</summary>
    public int CompressedBytes => _compressed.Length;

    /// <summary>Its histogram, decoded anew on each call, with its start/end time stamps set.</summary>
    public HistogramBase Histogram()
    {
        var histogram = HistogramEncoding.DecodeFromCompressedByteBuffer(HdrHistogram.Utilities.ByteBuffer.Allocate(_compressed), 0);
        histogram.StartTimeStamp = StartTimeStamp;
        histogram.EndTimeStamp = EndTimeStamp;
        return histogram;
    }

    // Encodes through a buffer reused across intervals (sized once to the histogram's worst case).
    internal static LoadInterval Compress(HistogramBase histogram, long startTimeStamp, long endTimeStamp, ref HdrHistogram.Utilities.ByteBuffer? buffer)
    {
        var needed = histogram.GetNeededByteBufferCapacity();
        if (buffer is null || buffer.Capacity() < needed)
        {
            buffer = HdrHistogram.Utilities.ByteBuffer.Allocate(needed);
        }

        buffer.Position = 0;
        var length = histogram.EncodeIntoCompressedByteBuffer(buffer);
        var compressed = new byte[length];
        buffer.Position = 0;
        for (var i = 0; i < length; i++)
        {
            compressed[i] = buffer.Get();
        }

        return new LoadInterval(compressed, startTimeStamp, endTimeStamp);
    }
}
