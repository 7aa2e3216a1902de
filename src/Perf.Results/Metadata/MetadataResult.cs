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

    /// <summary>The echo floor measured in the same run, beside which every row's figures are read.</summary>
    public MetadataFloor? Floor { get; init; }

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

/// <summary>
/// The echo floor of a metadata run: <c>perf echo</c> in its own process (pinned as the relay was),
/// driven by the same engine with as many connections as users, the same total rate (Poisson) and
/// the workload's mean plaintext size, over the same warm-up and duration.
/// </summary>
public sealed record MetadataFloor
{
    /// <summary>Connections (one per user).</summary>
    public required int Connections { get; init; }

    /// <summary>Messages per second offered.</summary>
    public required double RatePerSecond { get; init; }

    /// <summary>Bytes per message (the workload's mean plaintext size).</summary>
    public required int MessageBytes { get; init; }

    /// <summary>End-to-end p50, µs.</summary>
    public required double E2eP50Us { get; init; }

    /// <summary>End-to-end p99, µs.</summary>
    public required double E2eP99Us { get; init; }

    /// <summary>Messages delivered in the measured window.</summary>
    public required long Delivered { get; init; }

    /// <summary>The echo process over the measured window.</summary>
    public Model.TargetUsage? Target { get; init; }

    /// <summary>The generator over the same window.</summary>
    public Model.GeneratorUsage? Generator { get; init; }
}

/// <summary>Source-generated JSON for <see cref="MetadataResult"/>: snake_case, indented.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(MetadataResult))]
public sealed partial class MetadataJsonContext : JsonSerializerContext
{
}
