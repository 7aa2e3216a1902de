namespace Relay.Client;

/// <summary>Exponential backoff with jitter between reconnect attempts.</summary>
/// <param name="Initial">The first delay.</param>
/// <param name="Maximum">The longest delay.</param>
/// <param name="MaxAttempts">Attempts before giving up (0 = forever).</param>
public sealed record ReconnectPolicy(TimeSpan Initial, TimeSpan Maximum, int MaxAttempts)
{
    /// <summary>100 ms doubling to 10 s, ten attempts.</summary>
    public static ReconnectPolicy Default { get; } = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), 10);

    /// <summary>The delay before attempt <paramref name="attempt"/> (1-based): doubling, capped, with up to 20% jitter.</summary>
    public TimeSpan Delay(int attempt)
    {
        var exponential = Initial.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 1));
        var capped = Math.Min(exponential, Maximum.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (1 + (Random.Shared.NextDouble() * 0.2)));
    }
}
