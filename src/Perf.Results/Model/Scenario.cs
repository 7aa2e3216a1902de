namespace Perf.Results.Model;

/// <summary>The load that was offered: target, shape of arrivals and the crypto in use.</summary>
public sealed record Scenario
{
    /// <summary>The target name (for example <c>relay-tcp</c>, <c>relay-ws</c>, <c>nats</c>, <c>raw</c>).</summary>
    public required string Target { get; init; }

    /// <summary>Number of client connections.</summary>
    public required int Connections { get; init; }

    /// <summary>Offered arrival rate in messages per second (for find-max runs, the first step's rate).</summary>
    public required double Rate { get; init; }

    /// <summary>Plaintext message size in bytes.</summary>
    public required int Size { get; init; }

    /// <summary>Measured duration in seconds (warm-up excluded).</summary>
    public required double DurationS { get; init; }

    /// <summary>Warm-up duration in seconds, not recorded.</summary>
    public required double WarmupS { get; init; }

    /// <summary>Arrival process: <c>constant</c> or <c>poisson</c>.</summary>
    public required string Arrival { get; init; }

    /// <summary>AEAD cipher name (for example <c>chacha20poly1305</c>).</summary>
    public required string Cipher { get; init; }

    /// <summary>Crypto backend name (for example <c>libsodium</c>, <c>dotnet</c>).</summary>
    public required string Backend { get; init; }

    /// <summary>The impaired network between generator and target (<c>--network</c>), or <c>null</c> for plain loopback.</summary>
    public NetworkConditions? Network { get; init; }
}
