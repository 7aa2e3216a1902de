using System.Buffers;
using Relay.Store.Nats.Live;

namespace Relay.Store.Nats.Tests;

/// <summary>
/// The order a recipient's messages enter a node's cache in: by stream sequence, never past one
/// that is missing, whether republished copies arrive in order, swapped, lost, or during a read.
/// </summary>
public sealed class SequenceChainTests
{
    [Fact]
    public void Republished_messages_linked_to_the_previous_one_go_in_at_once()
    {
        var (chain, held) = AfterEmptyRead();

        chain.Offer(10, 0, Payload(10), held);
        chain.Offer(12, 10, Payload(12), held);
        chain.Offer(20, 12, Payload(20), held);

        Assert.Equal([10UL, 12, 20], held.Sequences);
        Assert.Equal([10, 12, 20], held.Bodies);
        Assert.Equal(20UL, chain.Highest);
        Assert.Equal(0, chain.GapSince);
    }

    [Fact]
    public void Two_nodes_copies_arriving_swapped_wait_for_the_missing_one_and_go_in_in_order()
    {
        var (chain, held) = AfterEmptyRead();
        chain.Offer(10, 0, Payload(10), held);

        Assert.True(chain.Offer(12, 11, Payload(12), held)); // 11 is missing: a gap opens
        Assert.Equal([10UL], held.Sequences);
        Assert.NotEqual(0, chain.GapSince);

        chain.Offer(11, 10, Payload(11), held);

        Assert.Equal([10UL, 11, 12], held.Sequences);
        Assert.Equal([10, 11, 12], held.Bodies);
        Assert.Equal(0, chain.GapSince);
    }

    [Fact]
    public void A_lost_copy_is_read_from_the_stream_and_what_waited_follows_it()
    {
        var (chain, held) = AfterEmptyRead();
        chain.Offer(10, 0, Payload(10), held);
        Assert.True(chain.Offer(13, 12, Payload(13), held));
        Assert.False(chain.Offer(14, 13, Payload(14), held)); // the gap is open already

        Assert.True(chain.BeginRead());
        Assert.False(chain.BeginRead()); // one read at a time
        Assert.Equal(0, chain.GapSince); // a running read is not a waiting gap
        chain.Read(12, Payload(12), held);
        chain.Read(13, Payload(13), held); // also stashed: handed over once
        Assert.False(chain.EndRead(held));

        Assert.Equal([10UL, 12, 13, 14], held.Sequences);
        Assert.Equal(14UL, chain.Highest);
    }

    [Fact]
    public void A_link_to_a_message_removed_since_does_not_open_a_gap()
    {
        // 11 was ACKed on another node and removed before 12 was stored: 12 names 10.
        var (chain, held) = AfterEmptyRead();
        chain.Offer(10, 0, Payload(10), held);

        Assert.False(chain.Offer(12, 10, Payload(12), held));
        Assert.False(chain.Offer(15, 3, Payload(15), held)); // everything after 3 up to 12 is known here

        Assert.Equal([10UL, 12, 15], held.Sequences);
    }

    [Fact]
    public void While_the_first_read_runs_republished_copies_wait_and_repeats_are_dropped()
    {
        // A new chain starts reading: the subscription exists before the read looks, so a message
        // stored meanwhile comes both ways.
        var chain = new SequenceChain();
        var held = new Held();

        Assert.False(chain.Offer(7, 5, Payload(7), held));
        Assert.False(chain.Offer(8, 7, Payload(8), held));
        Assert.Empty(held.Sequences);

        chain.Read(5, Payload(5), held);
        chain.Read(7, Payload(7), held);
        Assert.False(chain.EndRead(held));

        Assert.Equal([5UL, 7, 8], held.Sequences);
        Assert.False(chain.Offer(8, 7, Payload(8), held)); // a repeat
        Assert.Equal(3, held.Sequences.Count);
    }

    [Fact]
    public void A_read_that_ends_with_a_copy_still_unlinked_leaves_the_gap_open()
    {
        var chain = new SequenceChain();
        var held = new Held();
        chain.Offer(9, 8, Payload(9), held);

        chain.Read(5, Payload(5), held); // 8 is not in the stream yet when the read looked
        Assert.True(chain.EndRead(held));

        Assert.Equal([5UL], held.Sequences);
        Assert.NotEqual(0, chain.GapSince);
        chain.Offer(8, 5, Payload(8), held);
        Assert.Equal([5UL, 8, 9], held.Sequences);
        Assert.Equal(0, chain.GapSince);
    }

    [Fact]
    public void A_copy_that_waited_before_a_read_and_was_not_found_by_it_is_gone_and_cannot_hold_the_chain()
    {
        // 12 and 13 were both removed through another node before this node's read looked.
        var (chain, held) = AfterEmptyRead();
        chain.Offer(10, 0, Payload(10), held);
        Assert.True(chain.Offer(13, 12, Payload(13), held));

        Assert.True(chain.BeginRead());
        Assert.False(chain.Offer(16, 13, Payload(16), held)); // stored while the read runs: kept
        Assert.True(chain.EndRead(held)); // 16 still waits for 13, which nobody will send again

        Assert.Equal([10UL], held.Sequences);
        Assert.True(chain.BeginRead());
        chain.Read(16, Payload(16), held);
        Assert.False(chain.EndRead(held));
        Assert.Equal([10UL, 16], held.Sequences);
        Assert.Equal(0, chain.GapSince);
    }

    [Fact]
    public void Clear_forgets_what_waited()
    {
        var (chain, held) = AfterEmptyRead();
        chain.Offer(3, 2, Payload(3), held);

        chain.Clear();
        chain.Offer(2, 0, Payload(2), held);

        Assert.Equal([2UL], held.Sequences);
    }

    private static (SequenceChain Chain, Held Held) AfterEmptyRead()
    {
        var chain = new SequenceChain();
        var held = new Held();
        Assert.False(chain.EndRead(held));
        return (chain, held);
    }

    private static ReadOnlySequence<byte> Payload(int value) => new([(byte)value, 0xEE]);

    private sealed class Held : IHold
    {
        public List<ulong> Sequences { get; } = [];

        public List<int> Bodies { get; } = [];

        public void Hold(ulong sequence, in ReadOnlySequence<byte> stored)
        {
            Sequences.Add(sequence);
            Bodies.Add(stored.FirstSpan[0]);
        }
    }
}
