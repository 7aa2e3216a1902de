using System.Globalization;
using System.Xml.Linq;
using Perf.Results.Comparison;

namespace Perf.Results.Reports;

/// <summary>Writes a gate's outcome as JUnit XML: one testcase per benchmark/metric, a failure per regression.</summary>
public static class JUnitReport
{
    /// <summary>Builds the JUnit document; <paramref name="suiteName"/> names the test suite.</summary>
    public static XDocument Build(IReadOnlyList<ComparisonEntry> entries, string suiteName = "perf gate")
    {
        ArgumentNullException.ThrowIfNull(entries);
        int failures = entries.Count(e => e.IsRegression);
        var suite = new XElement("testsuite",
            new XAttribute("name", suiteName),
            new XAttribute("tests", entries.Count),
            new XAttribute("failures", failures),
            new XAttribute("errors", 0),
            new XAttribute("skipped", entries.Count(e => e.Verdict is Verdict.Inconclusive or Verdict.Unsure)));
        foreach (var e in entries)
        {
            var testcase = new XElement("testcase",
                new XAttribute("classname", e.Name),
                new XAttribute("name", e.Metric.Length == 0 ? ComparisonFormat.Verdict(e.Verdict) : e.Metric));
            string summary = string.Create(CultureInfo.InvariantCulture,
                $"{ComparisonFormat.Verdict(e.Verdict)}: baseline {ComparisonFormat.Value(e.Baseline, e.Unit)}, current {ComparisonFormat.Value(e.Current, e.Unit)}, ratio {ComparisonFormat.Ratio(e.Ratio)}{(e.Interval is null ? "" : " " + ComparisonFormat.Interval(e))}, threshold {ComparisonFormat.Threshold(e)}, p {ComparisonFormat.PValue(e.PValue)}");
            if (e.IsRegression)
            {
                testcase.Add(new XElement("failure", new XAttribute("message", summary), new XAttribute("type", "regression"), e.Note));
            }
            else if (e.Verdict is Verdict.Inconclusive or Verdict.Unsure)
            {
                testcase.Add(new XElement("skipped", new XAttribute("message", e.Note)));
            }
            else
            {
                testcase.Add(new XElement("system-out", summary));
            }

            suite.Add(testcase);
        }

        return new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("testsuites", suite));
    }

    /// <summary>Writes the JUnit document to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<ComparisonEntry> entries)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Build(entries).Save(path);
    }
}
