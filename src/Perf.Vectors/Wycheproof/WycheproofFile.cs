using System.Text.Json;

namespace Perf.Vectors.Wycheproof;

/// <summary>
/// The shape every Wycheproof file shares: <c>{algorithm, testGroups:[{type, ..., tests:[...]}]}</c>.
/// Suites recognise files through <see cref="Matches"/> (content, never the file name) and read
/// their cases through <see cref="Cases"/>.
/// </summary>
internal static class WycheproofFile
{
    /// <summary>
    /// Whether <paramref name="root"/> names one of <paramref name="algorithms"/> and has at least
    /// one test group, every one of type <paramref name="groupType"/>. Never throws, whatever the JSON.
    /// </summary>
    public static bool Matches(JsonElement root, string groupType, params string[] algorithms)
    {
        if (Algorithm(root) is not { } algorithm || !algorithms.Contains(algorithm, StringComparer.Ordinal))
        {
            return false;
        }

        if (!root.TryGetProperty("testGroups", out var groups) || groups.ValueKind != JsonValueKind.Array || groups.GetArrayLength() == 0)
        {
            return false;
        }

        foreach (var group in groups.EnumerateArray())
        {
            if (group.ValueKind != JsonValueKind.Object
                || !group.TryGetProperty("type", out var type)
                || type.ValueKind != JsonValueKind.String
                || type.GetString() != groupType)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The file's <c>algorithm</c> field, or <c>null</c> when it has none.</summary>
    public static string? Algorithm(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object
        && root.TryGetProperty("algorithm", out var algorithm)
        && algorithm.ValueKind == JsonValueKind.String
            ? algorithm.GetString()
            : null;

    /// <summary>The cases of a file <see cref="Matches"/> accepts for <paramref name="groupType"/> and <paramref name="algorithms"/>.</summary>
    /// <exception cref="FormatException">The file is not of that kind, or a group or test is malformed.</exception>
    public static IReadOnlyList<WycheproofCase> CasesOf(JsonElement root, string groupType, params string[] algorithms) =>
        Matches(root, groupType, algorithms)
            ? Cases(root)
            : throw new FormatException($"not a Wycheproof file of {groupType} groups for {string.Join(", ", algorithms)}");

    /// <summary>One row for suites that run every case on a single backend.</summary>
    public static IReadOnlyList<VectorResultRow> SingleBackendRow(
        string fileName, string algorithm, string backend, IEnumerable<WycheproofCase> cases, Func<WycheproofCase, CaseOutcome> check)
    {
        var tally = new VectorTally();
        foreach (var test in cases)
        {
            tally.Add(check(test));
        }

        return [tally.ToRow(fileName, algorithm, backend)];
    }

    /// <summary>Every test of every group, in file order.</summary>
    /// <exception cref="FormatException">A group has no <c>tests</c> array, or a test is not an object.</exception>
    public static IReadOnlyList<WycheproofCase> Cases(JsonElement root)
    {
        var cases = new List<WycheproofCase>();
        var groupIndex = 0;
        foreach (var group in root.GetProperty("testGroups").EnumerateArray())
        {
            if (!group.TryGetProperty("tests", out var tests) || tests.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"test group {groupIndex} has no 'tests' array");
            }

            foreach (var test in tests.EnumerateArray())
            {
                if (test.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException($"test group {groupIndex} holds a test that is not a JSON object");
                }

                cases.Add(new WycheproofCase(group, test));
            }

            groupIndex++;
        }

        return cases;
    }
}
