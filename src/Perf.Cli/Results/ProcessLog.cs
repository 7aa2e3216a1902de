namespace Perf.Cli.Results;

/// <summary>The lines a gate's child process printed (both streams, thread-safe), kept to show or save when it fails.</summary>
internal sealed class ProcessLog
{
    private readonly List<string> lines = [];

    /// <summary>Adds a line (the output pumps call this from two threads).</summary>
    public void Add(string line)
    {
        lock (lines) lines.Add(line);
    }

    /// <summary>Whether a line starts with <paramref name="prefix"/>.</summary>
    public bool HasLineStartingWith(string prefix)
    {
        lock (lines) return lines.Exists(l => l.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>Up to <paramref name="count"/> lines holding " error ", else the last <paramref name="count"/> lines, joined by " / ".</summary>
    public string Errors(int count)
    {
        lock (lines)
        {
            var errors = lines.Where(l => l.Contains(" error ", StringComparison.Ordinal)).Take(count).ToList();
            return string.Join(" / ", errors.Count > 0 ? errors : lines.TakeLast(count));
        }
    }

    /// <summary>Writes the lines to <c>round-NN-SIDE.log</c> in <paramref name="folder"/> and returns its path.</summary>
    public string Save(string folder, int round, string side)
    {
        var path = Path.Combine(folder, $"round-{round:00}-{side}.log");
        lock (lines) File.WriteAllLines(path, lines);
        return path;
    }
}
