using System.Globalization;

namespace Perf.Results.Reports.Run;

/// <summary>
/// The machine's native AEAD ceiling as <c>openssl speed -evp ALG -bytes 16384</c> printed it,
/// kept in a run folder as <c>openssl-speed.txt</c>: algorithm name (lower case, as openssl
/// prints it) to bytes per second at the measured block size.
/// </summary>
public static class OpenSslSpeed
{
    /// <summary>The file name inside a run folder.</summary>
    public const string FileName = "openssl-speed.txt";

    /// <summary>
    /// Parses the table at the end of <c>openssl speed</c>'s output: a header line starting with
    /// <c>type</c> giving block sizes, then one line per algorithm with values in 1000s of bytes
    /// per second (<c>123456.78k</c>). Returns algorithm to bytes/s of the last (largest) block.
    /// </summary>
    public static IReadOnlyDictionary<string, double> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        var inTable = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("type ", StringComparison.Ordinal))
            {
                inTable = true;
                continue;
            }

            if (!inTable || line.Length == 0)
            {
                continue;
            }

            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var last = fields[^1];
            if (fields.Length >= 2 && last.EndsWith('k')
                && double.TryParse(last[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var kilobytes))
            {
                result[string.Join(' ', fields[..^1]).ToLowerInvariant()] = kilobytes * 1000;
            }
        }

        return result;
    }
}
