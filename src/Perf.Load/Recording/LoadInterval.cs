using HdrHistogram;

namespace Perf.Load.Recording;

/// <summary>
/// One interval of one stage, for the <c>.hlog</c> interval log, kept in HdrHistogram's V2
/// encoding (counts as variable-length integers, runs of empty buckets as one number): a full
/// histogram up to an hour at 3 digits is ~190 KB, so a copy per stage per second was ~1 MB/s of
/// large-object garbage; encoded an interval is a few hundred bytes to a few KB. Not deflated here:
/// HdrHistogram's compressing encoder allocates a full-size scratch buffer and a zlib stream on
/// every call (~2 MB/s over the five stages, a gen-0 pause of ~6 ms every few seconds in the
/// generator); the log writer deflates once, when it writes the file.
/// </summary>
public sealed class LoadInterval
{
    private readonly byte[] _encoded;

    private LoadInterval(byte[] encoded, long startTimeStamp, long endTimeStamp)
    {
        _encoded = encoded;
        StartTimeStamp = startTimeStamp;
        EndTimeStamp = endTimeStamp;
    }

    /// <summary>When the interval began (Unix ms).</summary>
    public long StartTimeStamp { get; }

    /// <summary>When it ended (Unix ms).</summary>
    public long EndTimeStamp { get; }

    /// <summary>Bytes kept for it.</summary>
    public int EncodedBytes => _encoded.Length;

    /// <summary>Its histogram, decoded anew on each call, with its start/end time stamps set.</summary>
    public HistogramBase Histogram()
    {
        var histogram = HistogramEncoding.DecodeFromByteBuffer(HdrHistogram.Utilities.ByteBuffer.Allocate(_encoded), 0);
        histogram.StartTimeStamp = StartTimeStamp;
        histogram.EndTimeStamp = EndTimeStamp;
        return histogram;
    }

    // Encodes through a buffer reused across intervals (sized once to the histogram's worst case).
    // Allocated per call: the bytes kept, and the V2 encoder's own scratch, which grows with the
    // values recorded (~17 KB for 2,000 distinct values), not with the histogram's full range.
    internal static LoadInterval Encode(HistogramBase histogram, long startTimeStamp, long endTimeStamp, ref HdrHistogram.Utilities.ByteBuffer? buffer)
    {
        var needed = histogram.GetNeededByteBufferCapacity();
        if (buffer is null || buffer.Capacity() < needed)
        {
            buffer = HdrHistogram.Utilities.ByteBuffer.Allocate(needed);
        }

        buffer.Position = 0;
        var length = histogram.Encode(buffer, HdrHistogram.Encoding.HistogramEncoderV2.Instance);
        var encoded = new byte[length];
        buffer.Position = 0;
        for (var i = 0; i < length; i++)
        {
            encoded[i] = buffer.Get();
        }

        return new LoadInterval(encoded, startTimeStamp, endTimeStamp);
    }
}
