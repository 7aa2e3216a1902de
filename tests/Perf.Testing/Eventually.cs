using Perf.Load.Processes;

namespace Perf.Testing;

/// <summary>Waiting in a test for something asynchronous: polled with a deadline (never a fixed sleep), failing with what was awaited.</summary>
public static class Eventually
{
    /// <summary>Fails the test unless <paramref name="condition"/> holds within <paramref name="seconds"/>.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, int seconds = 20) =>
        TrueAsync(() => Task.FromResult(condition()), what, seconds);

    /// <summary>Fails the test unless <paramref name="condition"/> holds within <paramref name="seconds"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int seconds = 20) =>
        Assert.True(await Poll.UntilAsync(_ => condition(), TimeSpan.FromSeconds(seconds), TimeSpan.FromMilliseconds(20), CancellationToken.None), $"timed out waiting for {what}");
}
