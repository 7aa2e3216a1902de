using System.Text.RegularExpressions;

namespace Perf.Results.Comparison;

/// <summary>The globs gate rules, filters and the calibration knob use: <c>*</c> any text, <c>?</c> one character, the rest literal, the whole text matched.</summary>
public static class Glob
{
    /// <summary>The regular expression for <paramref name="glob"/>.</summary>
    public static Regex ToRegex(string glob)
    {
        ArgumentNullException.ThrowIfNull(glob);
        string pattern = "^" + Regex.Escape(glob).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$";
        return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }
}
