using System.Globalization;
using System.Text.RegularExpressions;

namespace Perf.Results.Files;

/// <summary>A fresh folder for one run's files: <c>results/runs/&lt;yyyyMMdd-HHmmss&gt;-&lt;name&gt;/</c> (git-ignored).</summary>
public static partial class RunFolder
{
    /// <summary>Creates (and returns the path of) <c>&lt;resultsRoot&gt;/runs/&lt;yyyyMMdd-HHmmss&gt;-&lt;name&gt;</c>, using UTC time.</summary>
    /// <param name="resultsRoot">The <c>results</c> folder.</param>
    /// <param name="name">A short run name; characters other than letters, digits, '.', '_' and '-' become '-'.</param>
    /// <param name="now">The timestamp to use; the current UTC time when null.</param>
    /// <exception cref="ArgumentException">When <paramref name="name"/> has no usable character.</exception>
    public static string Create(string resultsRoot, string name, DateTimeOffset? now = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(resultsRoot);
        ArgumentNullException.ThrowIfNull(name);
        string safe = UnsafeCharacters().Replace(name, "-").Trim('-');
        if (safe.Length == 0) throw new ArgumentException("a run needs a name with at least one letter or digit", nameof(name));
        string stamp = (now ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string path = Path.Combine(resultsRoot, "runs", $"{stamp}-{safe}");
        Directory.CreateDirectory(path);
        return path;
    }

    [GeneratedRegex("[^A-Za-z0-9._-]+")]
    private static partial Regex UnsafeCharacters();
}
