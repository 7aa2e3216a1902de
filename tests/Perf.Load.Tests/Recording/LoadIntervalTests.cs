using System.Diagnostics;
using HdrHistogram;
using Perf.Load.Recording;

namespace Perf.Load.Tests.Recording;

/// <summary>Interval histograms are kept encoded, cost no garbage beyond the bytes kept, and come back exactly as recorded, for the <c>.hlog</c>.</summary>
public sealed class LoadIntervalTests
{
    [Fact]
    public void Each_interval_decodes_to_the_values_recorded_in_it_with_its_time_stamps()
    {
        var recorders = new LoadRecorders();
        var random = new Random(11);
        var reference = new LongHistogram(1, LoadRecorders.HighestTrackableMicroseconds, LoadRecorders.SignificantDigits);
        for (var i = 0; i < 5_000; i++)
        {
            var micros = 1 + (long)Math.Exp(random.NextDouble() * 12); // 1 µs to ~160 ms
            reference.RecordValue(micros);
            recorders.Record(LoadStage.EndToEnd, micros * Stopwatch.Frequency / 1_000_000);
        }

        recorders.TakeInterval();
        recorders.Record(LoadStage.EndToEnd, 3_000 * Stopwatch.Frequency / 1_000_000);
        recorders.TakeInterval();

        var intervals = recorders.Intervals(LoadStage.EndToEnd);
        Assert.Equal(2, intervals.Count);
        var one = intervals[0].Histogram();
        Assert.Equal(reference.TotalCount, one.TotalCount);
        foreach (var percentile in (double[])[0, 50, 90, 99, 99.9, 99.99, 100])
        {
            Assert.Equal(reference.GetValueAtPercentile(percentile), one.GetValueAtPercentile(percentile));
        }

        var two = intervals[1].Histogram();
        Assert.Equal(1, two.TotalCount);
        Assert.True(two.LowestEquivalentValue(3_000) == two.LowestEquivalentValue(two.GetMaxValue()));
        Assert.True(intervals[0].StartTimeStamp <= intervals[0].EndTimeStamp);
        Assert.True(intervals[0].EndTimeStamp <= intervals[1].EndTimeStamp);
        Assert.Equal(intervals[1].EndTimeStamp, two.EndTimeStamp);
        Assert.Equal(reference.TotalCount + 1, recorders.Total(LoadStage.EndToEnd).TotalCount);
    }

    [Fact]
    public void An_interval_keeps_kilobytes_not_the_histograms_full_array()
    {
        var recorders = new LoadRecorders();
        for (var micros = 1; micros <= 20_000; micros++)
        {
            recorders.Record(LoadStage.EndToEnd, micros * Stopwatch.Frequency / 1_000_000);
        }

        recorders.TakeInterval();

        // The full array for 1 µs to an hour at 3 digits is ~190 KB; 20,000 distinct values
        // encode to a small fraction of it, and an empty stage to almost nothing.
        Assert.InRange(recorders.Intervals(LoadStage.EndToEnd)[0].EncodedBytes, 1, 32 * 1024);
        Assert.InRange(recorders.Intervals(LoadStage.Seal)[0].EncodedBytes, 1, 256);
    }

    [Fact]
    public void Taking_an_interval_allocates_no_full_size_scratch_buffer()
    {
        var recorders = new LoadRecorders();
        RecordEveryStage(recorders, 2_000);
        recorders.TakeInterval(); // sizes the reused encoding buffer
        RecordEveryStage(recorders, 2_000);
        var stages = Enum.GetValues<LoadStage>();
        var keptBefore = 0;
        foreach (var stage in stages)
        {
            keptBefore += recorders.Intervals(stage).Count;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        recorders.TakeInterval();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        var kept = 0L;
        foreach (var stage in stages)
        {
            Assert.Equal(2, recorders.Intervals(stage).Count);
            kept += recorders.Intervals(stage)[1].EncodedBytes;
        }

        Assert.Equal(stages.Length, keptBefore);
        // HdrHistogram's compressing encoder allocated a scratch buffer of the histogram's full
        // encoded size (~190 KB) per stage, plus a zlib stream; the V2 encoder's own scratch is
        // proportional to the values recorded (~17 KB here), and the kept bytes are ~2 KB.
        var fullSize = (long)recorders.Total(LoadStage.EndToEnd).GetNeededByteBufferCapacity();
        Assert.InRange(allocated, kept, stages.Length * fullSize / 4);
    }

    private static void RecordEveryStage(LoadRecorders recorders, int distinctValues)
    {
        foreach (var stage in Enum.GetValues<LoadStage>())
        {
            for (var micros = 1; micros <= distinctValues; micros++)
            {
                recorders.Record(stage, micros * Stopwatch.Frequency / 1_000_000);
            }
        }
    }
}
