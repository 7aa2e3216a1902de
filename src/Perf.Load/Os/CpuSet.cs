using System.Globalization;
using System.Text;

namespace Perf.Load.Os;

/// <summary>
/// A set of CPU numbers as Linux's <c>taskset -c</c> and cpuset files write it: <c>0</c>,
/// <c>1,3</c>, <c>0-3,6</c>. Parsed from the command line, applied with <see cref="CpuAffinity"/>
/// and recorded in results in its canonical form (sorted, ranges merged).
/// </summary>
public sealed class CpuSet : IEquatable<CpuSet>
{
    /// <summary>The highest CPU number a set may name (a <c>cpu_set_t</c> holds 1024).</summary>
    public const int MaxCpu = (LinuxNative.CpuSetWords * 64) - 1;

    private readonly int[] _cpus;

    private CpuSet(int[] cpus)
    {
        _cpus = cpus;
    }

    /// <summary>The CPU numbers, ascending.</summary>
    public IReadOnlyList<int> Cpus => _cpus;

    /// <summary>How many CPUs the set holds.</summary>
    public int Count => _cpus.Length;

    /// <summary>A set of the given CPU numbers.</summary>
    /// <exception cref="ArgumentException">Empty, or a number outside 0..<see cref="MaxCpu"/>.</exception>
    public static CpuSet Of(params int[] cpus)
    {
        ArgumentNullException.ThrowIfNull(cpus);
        var sorted = new SortedSet<int>();
        foreach (var cpu in cpus)
        {
            if (cpu is < 0 or > MaxCpu)
            {
                throw new ArgumentException($"CPU {cpu} is outside 0-{MaxCpu}.", nameof(cpus));
            }

            sorted.Add(cpu);
        }

        return sorted.Count == 0 ? throw new ArgumentException("a CPU set cannot be empty.", nameof(cpus)) : new CpuSet([.. sorted]);
    }

    /// <summary>Parses <c>0</c>, <c>1,3</c>, <c>0-3,6</c>.</summary>
    /// <param name="text">The list.</param>
    /// <param name="set">The set, when the text parses.</param>
    /// <param name="error">What is wrong with the text, when it does not.</param>
    public static bool TryParse(string? text, out CpuSet? set, out string? error)
    {
        set = null;
        error = $"'{text}' is not a CPU list such as 0, 1,3 or 0-3,6";
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var cpus = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', 2);
            if (!int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                return false;
            }

            var last = first;
            if (range.Length == 2 && !int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out last))
            {
                return false;
            }

            if (last < first || last > MaxCpu)
            {
                error = $"'{part}' in '{text}' is not a range of CPUs 0-{MaxCpu}";
                return false;
            }

            for (var cpu = first; cpu <= last; cpu++)
            {
                cpus.Add(cpu);
            }
        }

        set = Of([.. cpus]);
        error = null;
        return true;
    }

    /// <summary>Whether every CPU of this set is also in <paramref name="other"/>.</summary>
    public bool IsSubsetOf(CpuSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var cpu in _cpus)
        {
            if (Array.BinarySearch(other._cpus, cpu) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether the two sets share a CPU.</summary>
    public bool Overlaps(CpuSet other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var cpu in _cpus)
        {
            if (Array.BinarySearch(other._cpus, cpu) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The set as a <c>cpu_set_t</c> bit mask.</summary>
    internal ulong[] ToMask()
    {
        var mask = new ulong[LinuxNative.CpuSetWords];
        foreach (var cpu in _cpus)
        {
            mask[cpu / 64] |= 1UL << (cpu % 64);
        }

        return mask;
    }

    /// <summary>The set of CPUs a <c>cpu_set_t</c> bit mask holds.</summary>
    internal static CpuSet? FromMask(ReadOnlySpan<ulong> mask)
    {
        var cpus = new List<int>();
        for (var word = 0; word < mask.Length; word++)
        {
            for (var bit = 0; bit < 64; bit++)
            {
                if ((mask[word] & (1UL << bit)) != 0)
                {
                    cpus.Add((word * 64) + bit);
                }
            }
        }

        return cpus.Count == 0 ? null : new CpuSet([.. cpus]);
    }

    /// <summary>The canonical list: ascending, consecutive CPUs as ranges (<c>0-3,6</c>).</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        for (var i = 0; i < _cpus.Length; i++)
        {
            var start = _cpus[i];
            while (i + 1 < _cpus.Length && _cpus[i + 1] == _cpus[i] + 1)
            {
                i++;
            }

            text.Append(text.Length == 0 ? "" : ",").Append(start.ToString(CultureInfo.InvariantCulture));
            if (_cpus[i] != start)
            {
                text.Append('-').Append(_cpus[i].ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public bool Equals(CpuSet? other) => other is not null && _cpus.AsSpan().SequenceEqual(other._cpus);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CpuSet);

    /// <inheritdoc />
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
