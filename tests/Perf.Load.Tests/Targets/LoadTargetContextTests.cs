using HdrHistogram;
using System.Diagnostics;
using Perf.Load;
using Perf.Load.Recording;
using Perf.Load.Targets;

namespace Perf.Load.Tests.Targets;

public sealed class LoadTargetContextTests
{
    [Fact]
    public void An_arrival_records_forward_open_and_end_to_end_from_the_right_instants()
    {
        var context = new LoadTargetContext(1, 64, new LoadRecorders()) { MeasureStartTicks = 0 };
        var ms = Stopwatch.Frequency / 1000;
        var payload = Payload(sequence: 5, intendedTicks: 10 * ms);
        context.HandedOff(5, 12 * ms);

        context.Delivered(payload, receivedTicks: 15 * ms, openedTicks: 16 * ms);
        context.Recorders.TakeInterval();

        Assert.Equal(1, context.Recorders.Delivered);
        AssertSingle(context.Recorders.Total(LoadStage.Forward), 3000);
        AssertSingle(context.Recorders.Total(LoadStage.Open), 1000);
        AssertSingle(context.Recorders.Total(LoadStage.EndToEnd), 6000);
    }

    [Fact]
    public void A_second_arrival_of_the_same_message_is_a_duplicate_not_a_delivery()
    {
        var context = new LoadTargetContext(1, 64, new LoadRecorders()) { MeasureStartTicks = 0 };
        var payload = Payload(9, 100);
        context.HandedOff(9, 150);

        context.Delivered(payload, 200, 200);
        context.Delivered(payload, 300, 300);

        Assert.Equal(1, context.Recorders.Delivered);
        Assert.Equal(1, context.Recorders.Duplicates);
    }

    [Fact]
    public void Warm_up_messages_go_to_the_warm_up_recorders_not_the_measured_window()
    {
        var context = new LoadTargetContext(1, 64, new LoadRecorders()) { MeasureStartTicks = 1_000 };
        context.HandedOff(1, 600);
        context.HandedOff(2, 1_100);

        context.Delivered(Payload(1, 500), 700, 700);
        context.Sealed(400, 450, measured: false);
        context.Delivered(Payload(2, 1_000), 1_200, 1_200);
        context.Recorders.TakeInterval();
        context.WarmupRecorders.TakeInterval();

        Assert.Equal(1, context.Recorders.Delivered);
        Assert.Equal(1, context.Recorders.Total(LoadStage.EndToEnd).TotalCount);
        Assert.Equal(0, context.Recorders.Total(LoadStage.Seal).TotalCount);
        Assert.Equal(1, context.WarmupRecorders.Delivered);
        Assert.Equal(1, context.WarmupRecorders.Total(LoadStage.EndToEnd).TotalCount);
        Assert.Equal(1, context.WarmupRecorders.Total(LoadStage.Seal).TotalCount);
    }

    [Fact]
    public void A_payload_too_short_for_its_header_counts_as_an_error()
    {
        var context = new LoadTargetContext(1, 64, new LoadRecorders()) { MeasureStartTicks = 0 };
        context.Delivered(new byte[LoadPayload.HeaderSize - 1], 1, 1);
        Assert.Equal(1, context.Recorders.Errors);
        Assert.Equal(0, context.Recorders.Delivered);
    }

    private static byte[] Payload(long sequence, long intendedTicks)
    {
        var payload = new byte[64];
        LoadPayload.Write(payload, sequence, intendedTicks);
        return payload;
    }

    private static void AssertSingle(HdrHistogram.HistogramBase histogram, long micros)
    {
        Assert.Equal(1, histogram.TotalCount);
        Assert.True(histogram.LowestEquivalentValue(histogram.GetMaxValue()) == histogram.LowestEquivalentValue(micros), $"expected ~{micros} µs, got {histogram.GetMaxValue()}");
    }
}
