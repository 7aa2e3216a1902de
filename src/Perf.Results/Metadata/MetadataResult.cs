using System.Text.Json;
using System.Text.Json.Serialization;

namespace Perf.Results.Metadata;

/// <summary><c>metadata.json</c>: one row per mode, and how the run was made.</summary>
public sealed record MetadataResult
{
    /// <summary>The rows, in mode order.</summary>
    public required IReadOnlyList<MetadataRow> Rows { get; init; }

    /// <summary>The exact command, secrets redacted.</summary>
    public string? Command { get; init; }

    /// <summary>Users, rate, duration, sizes, reply probability: the workload.</summary>
    public string? Workload { get; init; }

    /// <summary>Writes the file.</summary>
    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, MetadataJsonContext.Default.MetadataResult) + "\n");

    /// <summary>Reads a file written by <see cref="Write"/>.</summary>
    /// <exception cref="BadInputException">Missing or malformed.</exception>
    public static MetadataResult Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), MetadataJsonContext.Default.MetadataResult) ?? throw new JsonException("empty");
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{path} is not a metadata result: {ex.Message}", ex);
        }
    }
}

/// <summary>Source-generated JSON for <see cref="MetadataResult"/>: snake_case, indented.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(MetadataResult))]
public sealed partial class MetadataJsonContext : JsonSerializerContext
{
}
