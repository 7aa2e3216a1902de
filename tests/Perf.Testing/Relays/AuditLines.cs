using System.Text.Json;

namespace Perf.Testing.Relays;

/// <summary>Reads a test relay's audit log back while the relay runs (it writes every 50 ms).</summary>
public static class AuditLines
{
    /// <summary>
    /// The log's lines that <paramref name="which"/> keeps, once there are at least
    /// <paramref name="atLeast"/> of them: the relay is asked to flush before each read, and the
    /// read is tried again until the deadline (<see cref="Eventually"/>).
    /// </summary>
    public static async Task<List<JsonElement>> ReadAsync(TestRelay relay, string path, Func<JsonElement, bool> which, int atLeast)
    {
        ArgumentNullException.ThrowIfNull(relay);
        List<JsonElement> lines = [];
        await Eventually.TrueAsync(async () =>
        {
            await relay.Server.FlushAuditLogAsync();
            using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).Where(which).ToList();
            return lines.Count >= atLeast;
        }, $"{atLeast} matching audit lines");
        return lines;
    }

    /// <summary>Whether a line is an accepted message's (the others are connection and mailbox events).</summary>
    public static bool IsMessage(JsonElement line) => line.TryGetProperty("id", out _);
}
