using Perf.Load.Targets.Cluster;

namespace Perf.Load.Tests.Targets;

/// <summary>The per-message ledger: lost is accepted and never delivered; unanswered is neither accepted nor rejected.</summary>
public sealed class DeliveryLedgerTests
{
    [Fact]
    public void Only_measured_messages_are_judged_each_once_however_often_it_was_accepted()
    {
        var ledger = new DeliveryLedger();
        for (long sequence = 0; sequence < 6; sequence++)
        {
            ledger.MarkMeasured(sequence);
        }

        ledger.MarkAccepted(0); // accepted, delivered
        ledger.MarkDelivered(0);
        ledger.MarkAccepted(1); // accepted twice (a resend), never delivered: lost once
        ledger.MarkAccepted(1);
        ledger.MarkRejected(2); // refused for good
        ledger.MarkDelivered(3); // delivered though its ACCEPTED was lost with a node
        ledger.MarkAccepted(4); // lost
                                // 5: no answer at all
        ledger.MarkAccepted(200_000); // warm-up: not measured, not judged

        Assert.Equal((2L, 1L), ledger.Count());
    }

    [Fact]
    public void Sequences_far_apart_and_from_many_threads_are_all_kept()
    {
        var ledger = new DeliveryLedger();
        Parallel.For(0, 4, thread =>
        {
            for (long sequence = thread; sequence < 2_000_000; sequence += 4)
            {
                ledger.MarkMeasured(sequence);
                ledger.MarkAccepted(sequence);
                if (sequence % 1000 != 0)
                {
                    ledger.MarkDelivered(sequence);
                }
            }
        });

        Assert.Equal((2000L, 0L), ledger.Count());
    }
}
