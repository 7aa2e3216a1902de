using Perf.Fuzz.Targets;

namespace Perf.Fuzz;

/// <summary>Every fuzz target, in the order fuzz/run runs them.</summary>
internal static class FuzzTargets
{
    /// <summary>The targets.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new RelayFrameTarget(),
        new NoiseFramingTarget(),
        new NoiseHandshakeTarget(),
        new E2eEnvelopeTarget(),
        new RelayTokenTarget(),
        new ResultFileTarget(),
        new SealedSenderTarget(),
        new ConversationTarget(),
    ];

    /// <summary>The target called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No target has that name.</exception>
    public static FuzzTarget Find(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"unknown target '{name}'; targets: {string.Join(", ", All.Select(t => t.Name))}");
}
