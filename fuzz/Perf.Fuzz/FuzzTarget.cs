namespace Perf.Fuzz;

/// <summary>
/// One parser under fuzzing. <see cref="Run"/> feeds it one input and checks its documented
/// contract: a documented error result or exception is a pass; any other exception, or a
/// <see cref="ContractViolation"/> the harness throws, escapes and is a crash for afl-fuzz.
/// </summary>
internal abstract class FuzzTarget
{
    /// <summary>The target's name: the corpus folder (fuzz/corpus/NAME) and the command-line argument.</summary>
    public abstract string Name { get; }

    /// <summary>One line: what is fuzzed and what the contract allows.</summary>
    public abstract string Description { get; }

    /// <summary>Runs one input against the contract; returns for any documented outcome.</summary>
    public abstract void Run(ReadOnlySpan<byte> input);

    /// <summary>Small valid and near-valid inputs made with the real writers, for the seed corpus.</summary>
    public abstract IEnumerable<Seed> Seeds();

    /// <summary>An afl-fuzz dictionary (tokens of the format), or none.</summary>
    public virtual IEnumerable<string> DictionaryTokens() => [];
}

/// <summary>A seed input and the file name it is kept under.</summary>
/// <param name="Name">File name inside the target's corpus folder.</param>
/// <param name="Bytes">The input.</param>
internal sealed record Seed(string Name, byte[] Bytes);
