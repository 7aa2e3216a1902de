using System.Runtime.CompilerServices;
using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Relay.Server.Tests;

/// <summary>
/// A message through a real relay on loopback (SEND, DELIVER, ACK, ACCEPTED) allocates nothing
/// per message once warm, in the relay and in both clients together: the whole process's
/// allocations are counted, so a per-message allocation anywhere on the path shows (and the class
/// runs alone, after the others).
/// </summary>
[Collection(nameof(RunsAloneCollection))]
public sealed class RelayAllocationTests : IDisposable
{
    private const int Messages = 2_000;

    // Under 8 bytes per message in the quietest round: the smallest object is 24 bytes, so one
    // per message would be 48,000 in every round. Before the transports' reads were pooled a
    // message cost ~1,000 bytes (tcp 1,958,016 in the quietest round, ws 1,969,144).
    private const long AllowedBytes = 16 * 1024;

    private readonly X25519KeyPair _alice = X25519KeyPair.Generate();
    private readonly X25519KeyPair _bob = X25519KeyPair.Generate();
    private readonly byte[] _envelope = new byte[256];

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("ws")]
    public async Task A_message_allocates_nothing_in_the_relay_or_its_clients_once_warm(string transport)
    {
        // The send rate stays on (its bucket is on the measured path) but far above this loop's pace.
        await using var relay = await TestRelay.StartAsync(o => o with { SendRatePerConnection = 1_000_000 });
        await using var alice = transport == "tcp" ? await relay.TcpAsync(_alice) : await relay.WebSocketAsync(_alice);
        await using var bob = await relay.TcpAsync(_bob);
        var bobIdentity = new Identity(_bob.PublicKey);
        var failures = 0;
        ulong id = 0;
        for (var i = 0; i < 2_000; i++)
        {
            failures += await CycleAsync(alice, bob, bobIdentity, ++id);
        }

        // Five rounds: an allocation per message shows in every round; a one-off of the runtime's
        // (tiering, a pool growing, Kestrel's once-a-second work) shows in one at most.
        var rounds = new long[5];
        for (var round = 0; round < rounds.Length; round++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            for (var i = 0; i < Messages; i++)
            {
                failures += await CycleAsync(alice, bob, bobIdentity, ++id);
            }

            rounds[round] = GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        Assert.Equal(0, failures);
        Array.Sort(rounds);
        Assert.True(rounds[0] < AllowedBytes, $"quietest round {rounds[0]:N0} bytes for {Messages:N0} messages ({(double)rounds[0] / Messages:F1} per message); rounds {string.Join(", ", rounds)}");
    }

    // One message end to end; pooled, so the test's own awaits allocate nothing either.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> CycleAsync(RelayClientConnection alice, RelayClientConnection bob, Identity bobIdentity, ulong id)
    {
        alice.Send(id, bobIdentity, _envelope);
        await alice.FlushAsync();
        if (await bob.ReadAsync() is not { Type: FrameType.Deliver } delivered)
        {
            return 1;
        }

        bob.Ack(delivered.RelayMessageId);
        await bob.FlushAsync();
        return await alice.ReadAsync() is { Type: FrameType.Accepted } ? 0 : 1;
    }
}
