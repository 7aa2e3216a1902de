namespace Perf.Load.K6;

/// <summary>Who sends to whom in a k6 data set.</summary>
public enum K6Pairing
{
    /// <summary>User i sends to user (i + 1) mod N, as <c>perf load</c> does.</summary>
    Ring,

    /// <summary>Users 0↔1, 2↔3, ...: one session per pair, used in both directions.</summary>
    Pairs,
}

/// <summary>Names of <see cref="K6Pairing"/> as written on the command line and in the data file.</summary>
public static class K6PairingNames
{
    /// <summary>The name of <paramref name="pairing"/>: <c>ring</c> or <c>pairs</c>.</summary>
    public static string Name(K6Pairing pairing) => pairing == K6Pairing.Ring ? "ring" : "pairs";

    /// <summary>Parses <c>ring</c> or <c>pairs</c> (case-insensitive).</summary>
    public static bool TryParse(string? text, out K6Pairing pairing)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "ring":
                pairing = K6Pairing.Ring;
                return true;
            case "pairs":
                pairing = K6Pairing.Pairs;
                return true;
            default:
                pairing = K6Pairing.Ring;
                return false;
        }
    }
}
