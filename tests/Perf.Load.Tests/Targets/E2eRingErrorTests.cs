using System.Diagnostics;
using Perf.Load.Recording;
using Perf.Load.Targets;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;

namespace Perf.Load.Tests.Targets;

/// <summary>
/// What the run's <c>errors</c> count, by reason: an arrival the recipient's E2E session refused for
/// something other than being a replay (a replay is a duplicate, not an error).
/// </summary>
public sealed class E2eRingErrorTests
{
    [Fact]
    public void Each_refused_arrival_is_an_error_named_by_its_reason_and_a_replay_is_none()
    {
        var recorders = new LoadRecorders();
        var context = new LoadTargetContext(2, 256, recorders) { MeasureStartTicks = 0 };
        using var ring = new E2eRing(2, 256, AeadAlgorithm.Aes256Gcm, AeadBackend.Auto);
        var first = ring.Seal(0, 0, Stopwatch.GetTimestamp(), measured: true, context).ToArray();
        context.HandedOff(0, Stopwatch.GetTimestamp());
        for (var sequence = 2; sequence < 2 * 1_001; sequence += 2)
        {
            ring.Seal(0, sequence, Stopwatch.GetTimestamp(), measured: true, context); // refused by the relay, say: never arrives
        }

        // 1,001 counters past the first: more than the session's 1,000 skipped keys.
        var pastTheWindow = ring.Seal(0, 2 * 1_001, Stopwatch.GetTimestamp(), measured: true, context).ToArray();
        var tampered = (byte[])first.Clone();
        tampered[^1] ^= 1;

        Assert.Equal(E2eError.TooFarAhead, ring.OpenAndReport(1, pastTheWindow, Stopwatch.GetTimestamp(), context, out _));
        Assert.Equal(E2eError.AuthenticationFailed, ring.OpenAndReport(1, tampered, Stopwatch.GetTimestamp(), context, out _));
        Assert.Equal(E2eError.None, ring.OpenAndReport(1, first, Stopwatch.GetTimestamp(), context, out _));
        Assert.Equal(E2eError.Replay, ring.OpenAndReport(1, first, Stopwatch.GetTimestamp(), context, out _));

        Assert.Equal((2L, 1L), (recorders.Errors, recorders.Delivered));
        Assert.Equal(new Dictionary<string, long> { ["authentication_failed"] = 1, ["too_far_ahead"] = 1 }, recorders.ErrorReasons);
    }
}
