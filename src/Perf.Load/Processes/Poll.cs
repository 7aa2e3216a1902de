using System.Diagnostics;

namespace Perf.Load.Processes;

/// <summary>Waiting for something asynchronous: a condition polled with a deadline, never a fixed sleep.</summary>
public static class Poll
{
    /// <summary>How often a starting child's readiness is probed.</summary>
    public static readonly TimeSpan ProcessInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls <paramref name="condition"/> every <paramref name="interval"/> until it holds (true) or <paramref name="timeout"/> has passed (false).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> ended the wait.</exception>
    public static async Task<bool> UntilAsync(Func<CancellationToken, Task<bool>> condition, TimeSpan timeout, TimeSpan interval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < timeout)
        {
            if (await condition(cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }
}
