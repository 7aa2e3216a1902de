using System.Text.Json;
using System.Text.Json.Serialization;

namespace Perf.Load.Hostile;

/// <summary>
/// Writes a flood's counts as <c>handshake-flood.json</c> beside a run's result file, so a run
/// folder keeps what the hostile client met next to what the legitimate clients measured.
/// </summary>
public static class HandshakeFloodFile
{
    /// <summary>The file's name in a run folder.</summary>
    public const string FileName = "handshake-flood.json";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Writes <paramref name="result"/> into <paramref name="folder"/>; returns the file's path.</summary>
    public static string Write(string folder, HandshakeFloodResult result)
    {
        var path = Path.Combine(folder, FileName);
        File.WriteAllText(path, JsonSerializer.Serialize(result, Options) + "\n");
        return path;
    }

    /// <summary>Reads a file <see cref="Write"/> wrote.</summary>
    /// <exception cref="JsonException">The file is not a flood's counts.</exception>
    public static HandshakeFloodResult Read(string path) =>
        JsonSerializer.Deserialize<HandshakeFloodResult>(File.ReadAllText(path), Options) ?? throw new JsonException($"{path} holds no handshake flood");
}
