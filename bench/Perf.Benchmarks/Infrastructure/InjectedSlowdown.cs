using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Perf.Benchmarks.Infrastructure;

/// <summary>
/// A known slowdown for measuring a gate's power: <c>PERF_BENCH_SLOWDOWN='GLOB=8%'</c> (or the
/// build property <c>PerfInjectSlowdown</c>, for a commit that carries it) makes every benchmark
/// case with a hook whose full name matches GLOB do its own operation once more per 1/8% = 12.5
/// operations, so it costs exactly 8% more (plus the hook's counter). Repeating the case's own
/// work instead of spinning needs no calibration, so the injected ratio is known without
/// measuring it. Benchmark-only: nothing under <c>src/</c> knows about it.
/// </summary>
/// <remarks>
/// Only <c>AeadBenchmarks.Seal</c> carries the hook (<see cref="Apply"/>, one call after its
/// operation). Without the knob the hook is a null check on both sides of a comparison.
/// </remarks>
public sealed class InjectedSlowdown
{
    /// <summary>The environment variable that sets the knob (it wins over the build property).</summary>
    public const string Variable = "PERF_BENCH_SLOWDOWN";

    /// <summary>The assembly metadata key the build property <c>PerfInjectSlowdown</c> is baked into.</summary>
    public const string BuildProperty = "PerfInjectSlowdown";

    /// <summary>What the benchmark process prints for each case it slows down; <c>perf gate --ab</c> counts these lines.</summary>
    public const string Announcement = "perf-bench: injected slowdown";

    // Fixed point: one extra operation is owed each time the debt reaches One.
    private const ulong One = 1UL << 32;

    private readonly Action? extra;
    private readonly ulong step;
    private ulong debt;

    private InjectedSlowdown(Action? extra, ulong step)
    {
        this.extra = extra;
        this.step = step;
    }

    /// <summary>The slowdown for the case named <paramref name="fullName"/> (BenchmarkDotNet's full name): none unless the knob matches it.</summary>
    /// <exception cref="FormatException">When the knob is malformed.</exception>
    public static InjectedSlowdown For(string fullName, Action operation) => For(fullName, operation, Configured());

    /// <summary>The slowdown for the case named <paramref name="fullName"/> under <paramref name="knob"/> (a parsed knob, or null for none).</summary>
    public static InjectedSlowdown For(string fullName, Action operation, (string Glob, Regex Pattern, double Fraction)? knob)
    {
        ArgumentNullException.ThrowIfNull(fullName);
        ArgumentNullException.ThrowIfNull(operation);
        if (knob is not { } set || !set.Pattern.IsMatch(fullName))
        {
            return new InjectedSlowdown(null, 0);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Announcement} +{set.Fraction * 100:0.###}% into {fullName}"));
        return new InjectedSlowdown(operation, (ulong)Math.Round(set.Fraction * One));
    }

    /// <summary>The knob as set (environment first, then the build property), or null when unset.</summary>
    /// <exception cref="FormatException">When it is not <c>GLOB=N%</c> with 0 &lt; N ≤ 1000.</exception>
    public static (string Glob, Regex Pattern, double Fraction)? Configured()
    {
        var text = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            text = typeof(InjectedSlowdown).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == BuildProperty)?.Value;
        }

        return string.IsNullOrWhiteSpace(text) ? null : Parse(text);
    }

    /// <summary>Parses <c>GLOB=N%</c> (<c>*</c> any text, <c>?</c> one character, matched against the full name).</summary>
    /// <exception cref="FormatException">When the text is malformed or the percentage is out of range.</exception>
    public static (string Glob, Regex Pattern, double Fraction) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.LastIndexOf('=');
        var percent = equals > 0 ? text[(equals + 1)..].Trim() : "";
        if (equals <= 0 || !percent.EndsWith('%')
            || !double.TryParse(percent[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || !(value > 0 && value <= 1000))
        {
            throw new FormatException($"{Variable}/{BuildProperty} must be GLOB=N% with 0 < N <= 1000 (e.g. '*AeadBenchmarks.Seal*=8%'), got '{text}'");
        }

        var glob = text[..equals].Trim();
        var pattern = "^" + Regex.Escape(glob).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$";
        return (glob, new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Singleline), value / 100);
    }

    /// <summary>The hook: after a case's operation, repeats it whenever the owed fraction adds up to one.</summary>
    public void Apply()
    {
        if (extra is null)
        {
            return;
        }

        debt += step;
        while (debt >= One)
        {
            debt -= One;
            extra();
        }
    }
}
