using System.Text.Json;
using Perf.Results.Model;

namespace Perf.Results.Files;

/// <summary>Reads and writes <c>perf-result/1</c> JSON files.</summary>
public static class ResultFile
{
    /// <summary>Writes <paramref name="result"/> to <paramref name="path"/> (indented UTF-8 JSON), after checking it is valid.</summary>
    /// <exception cref="BadInputException">When the result breaks the schema's rules.</exception>
    public static void Write(string path, PerfResult result)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(result);
        ResultFileRules.Check(result, path);
        File.WriteAllText(path, ToJson(result) + "\n");
    }

    /// <summary>Serialises a result to indented JSON.</summary>
    public static string ToJson(PerfResult result) => JsonSerializer.Serialize(result, ResultJsonContext.Default.PerfResult);

    /// <summary>Reads and validates a result file.</summary>
    /// <exception cref="BadInputException">When the file is missing, not JSON, or not a valid <c>perf-result/1</c> file.</exception>
    public static PerfResult Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new BadInputException($"{path}: file not found");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates result JSON; <paramref name="source"/> names it in error messages.</summary>
    /// <exception cref="BadInputException">When the text is not a valid <c>perf-result/1</c> document.</exception>
    public static PerfResult Parse(string json, string source)
    {
        PerfResult? result;
        try
        {
            result = JsonSerializer.Deserialize(json, ResultJsonContext.Default.PerfResult);
        }
        catch (JsonException e)
        {
            // The reader's own messages name the path; a converter's message does not.
            var where = e.Path is { } path && !e.Message.Contains(path, StringComparison.Ordinal) ? $" (at {path})" : string.Empty;
            throw new BadInputException($"{source}: not a perf-result/1 file: {OneLine(e.Message)}{where}", e);
        }

        if (result is null) throw new BadInputException($"{source}: not a perf-result/1 file: the document is null");
        ResultFileRules.Check(result, source);
        return result;
    }

    /// <summary>True when the JSON text declares <c>"schema": "perf-result/1"</c> at its top level (cheap sniffing for folders).</summary>
    public static bool LooksLikeResult(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("schema", out var schema)
                && schema.ValueKind == JsonValueKind.String
                && schema.GetString() == PerfResult.SchemaId;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
