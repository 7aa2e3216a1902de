using Perf.Load;

namespace Perf.Cli.Relay;

/// <summary>The checks shared by commands that mint WebSocket tokens: the relay's secret and the tokens' lifetime.</summary>
internal static class TokenArguments
{
    /// <summary>Shortest accepted <c>--ws-secret</c>, in characters (the relay refuses shorter ones too).</summary>
    public const int MinSecretLength = 16;

    /// <summary>The problem with <paramref name="secret"/>, or <c>null</c> when it is usable.</summary>
    public static string? SecretProblem(string secret, string option) =>
        secret.Length < MinSecretLength ? $"{option} must be at least {MinSecretLength} characters (the relay's --ws-secret)." : null;

    /// <summary>Parses a token lifetime such as <c>30m</c> or <c>24h</c>; false for anything not positive.</summary>
    public static bool TryParseLifetime(string? text, out TimeSpan lifetime) =>
        DurationText.TryParse(text, out lifetime) && lifetime > TimeSpan.Zero;
}
