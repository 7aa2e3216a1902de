using System.Text.Json;
using Perf.Vectors.Wycheproof;

namespace Perf.Vectors;

/// <summary>
/// Runs every vector file under a folder: each <c>*.json</c> file and each <c>*.txt</c> file that
/// holds JSON (cacophony's Noise vectors), in subfolders too, in path order. Each file goes to the
/// first suite that recognises its content; a file no suite knows becomes one row on backend
/// <c>-</c> with all its cases skipped.
/// </summary>
public static class VectorRunner
{
    /// <summary>The backend name of rows that ran on nothing (unknown files, unsupported curves).</summary>
    public const string NoBackend = "-";

    /// <summary>The algorithm name of an unknown file that names none.</summary>
    public const string UnknownAlgorithm = "unknown";

    /// <summary>Every suite, in the order files are offered to them: the one list of suites.</summary>
    public static IReadOnlyList<IVectorSuite> DefaultSuites { get; } =
    [
        new WycheproofAeadSuite(),
        new WycheproofX25519Suite(),
        new WycheproofHkdfSuite(),
        new WycheproofHmacSuite(),

        new Noise.NoiseVectorSuite(),
    ];

    /// <summary>Runs every vector file under <paramref name="directory"/>; one row per file × algorithm × backend.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="VectorFormatException">A file is not valid JSON or a recognised file is malformed; the message names the file.</exception>
    public static IReadOnlyList<VectorResultRow> RunDirectory(string directory, IReadOnlyList<IVectorSuite>? suites = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return [.. FindFiles(directory).SelectMany(file => RunFile(file, suites))];
    }

    /// <summary>Runs one vector file; a <c>.txt</c> file that does not hold JSON gives no rows.</summary>
    /// <exception cref="VectorFormatException">The file is not valid JSON or, recognised, is malformed; the message names the file.</exception>
    public static IReadOnlyList<VectorResultRow> RunFile(string path, IReadOnlyList<IVectorSuite>? suites = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        return ReadJson(fullPath) is { } json ? RunParsed(fullPath, json, suites ?? DefaultSuites) : [];
    }

    /// <summary>The <c>*.json</c> and <c>*.txt</c> files under <paramref name="directory"/>, recursively, in ordinal path order.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static IReadOnlyList<string> FindFiles(string directory)
    {
        var fullPath = Path.GetFullPath(directory);
        if (!Directory.Exists(fullPath))
        {
            throw new DirectoryNotFoundException($"The vectors folder {fullPath} does not exist.");
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, MatchCasing = MatchCasing.CaseInsensitive };
        return [.. Directory.EnumerateFiles(fullPath, "*", options)
            .Where(path => HasExtension(path, ".json") || HasExtension(path, ".txt"))
            .Order(StringComparer.Ordinal)];
    }

    private static IReadOnlyList<VectorResultRow> RunParsed(string path, JsonDocument json, IReadOnlyList<IVectorSuite> suites)
    {
        using (json)
        {
            var fileName = Path.GetFileName(path);
            var root = json.RootElement;
            var suite = suites.FirstOrDefault(candidate => candidate.Recognises(root));
            if (suite is null)
            {
                return [new VectorResultRow(fileName, WycheproofFile.Algorithm(root) ?? UnknownAlgorithm, NoBackend, 0, 0, CountCases(root))];
            }

            try
            {
                return suite.Run(fileName, root);
            }
            catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidOperationException)
            {
                // Suites report malformed content as FormatException; JsonElement reports a missing
                // property or a value of the wrong kind as the other two.
                throw new VectorFormatException(path, e.Message, e);
            }
        }
    }

    /// <summary>The parsed file, or <c>null</c> for a <c>.txt</c> file that does not hold JSON.</summary>
    private static JsonDocument? ReadJson(string path)
    {
        var bytes = File.ReadAllBytes(path).AsMemory();
        if (bytes.Span.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }

        var trimmed = bytes.Span.TrimStart(" \t\r\n"u8);
        var looksLikeJson = !trimmed.IsEmpty && trimmed[0] is (byte)'{' or (byte)'[';
        if (HasExtension(path, ".txt") && !looksLikeJson)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new VectorFormatException(path, $"not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>How many cases an unknown file holds, as far as its shape shows: Wycheproof tests, cacophony vectors, array items; otherwise the file counts as one.</summary>
    private static int CountCases(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            return root.GetArrayLength();
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return 1;
        }

        if (root.TryGetProperty("testGroups", out var groups) && groups.ValueKind == JsonValueKind.Array)
        {
            return groups.EnumerateArray().Sum(group =>
                group.ValueKind == JsonValueKind.Object && group.TryGetProperty("tests", out var tests) && tests.ValueKind == JsonValueKind.Array
                    ? tests.GetArrayLength()
                    : 0);
        }

        return root.TryGetProperty("vectors", out var vectors) && vectors.ValueKind == JsonValueKind.Array
            ? vectors.GetArrayLength()
            : 1;
    }

    private static bool HasExtension(string path, string extension) =>
        Path.GetExtension(path).Equals(extension, StringComparison.OrdinalIgnoreCase);
}
