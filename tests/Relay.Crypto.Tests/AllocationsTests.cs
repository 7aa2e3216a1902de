using Perf.Testing.Allocations;
using Xunit.Sdk;

namespace Relay.Crypto.Tests;

/// <summary>The allocation meter tells an allocation per call from a one-off.</summary>
public sealed class AllocationsTests
{
    private static object? _kept;

    [Fact]
    public void An_allocation_per_call_fails_with_every_round_listed()
    {
        var error = Assert.Throws<TrueException>(() => Allocations.AssertNone(() => _kept = new byte[8], calls: 100, warmUpCalls: 0));

        Assert.Equal(Allocations.MaxRounds, Allocations.PerRound(() => _kept = new byte[8], calls: 100, warmUpCalls: 0).Count(bytes => bytes >= 100 * 32));
        Assert.Contains("bytes allocated per round of 100 calls: 3200, 3200, 3200, 3200, 3200", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_one_off_allocation_in_one_round_does_not_fail_and_is_reported()
    {
        var calls = 0;

        var rounds = Allocations.PerRound(() => _kept = ++calls == 50 ? new byte[8] : null, calls: 100, warmUpCalls: 0);

        Assert.Equal([32L, 0L], rounds);
        Allocations.AssertNone(() => _kept = ++calls == 250 ? new byte[8] : null, calls: 100, warmUpCalls: 0);
    }
}
