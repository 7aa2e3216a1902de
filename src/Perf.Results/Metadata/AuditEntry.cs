using System.Globalization;
using System.Text.Json;

namespace Perf.Results.Metadata;

/// <summary>One line of the relay's audit log (<c>perf relay --audit-log</c>): what the relay saw of one accepted message.</summary>
/// <param name="UnixMilliseconds"><c>t</c>.</param>
/// <param name="RelayMessageId"><c>id</c>.</param>
/// <param name="Connection"><c>conn</c>.</param>
/// <param name="ConnectionIdentity"><c>conn_identity</c>, null for an anonymous connection.</param>
/// <param name="Sender"><c>sender</c>, null when the relay did not know it.</param>
/// <param name="Recipient"><c>recipient</c>.</param>
/// <param name="Bytes"><c>bytes</c>: the envelope length.</param>
/// <param name="Sealed"><c>sealed</c>.</param>
public sealed record AuditEntry(long UnixMilliseconds, ulong RelayMessageId, long Connection, string? ConnectionIdentity, string? Sender, string Recipient, int Bytes, bool Sealed)
{
    /// <summary>
    /// Reads an audit log, also while the relay still appends to it: a last line without its
    /// newline is not yet whole and is left for the next read. Any other line that is not one of
    /// its records is bad input naming the line.
    /// </summary>
    /// <exception cref="BadInputException">Missing file or malformed line.</exception>
    public static List<AuditEntry> ReadAll(string path)
    {
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"cannot read audit log {path}: {ex.Message}", ex);
        }

        var entries = new List<AuditEntry>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].Length > 0)
            {
                entries.Add(Parse(lines[i], path, i + 1));
            }
        }

        return entries;
    }

    /// <summary>Parses one line.</summary>
    /// <exception cref="BadInputException">Not JSON, or a field missing or of the wrong type.</exception>
    public static AuditEntry Parse(string line, string source, int number)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            return new AuditEntry(
                root.GetProperty("t").GetInt64(),
                root.GetProperty("id").GetUInt64(),
                root.GetProperty("conn").GetInt64(),
                NullableString(root.GetProperty("conn_identity")),
                NullableString(root.GetProperty("sender")),
                root.GetProperty("recipient").GetString() ?? throw new FormatException("recipient is null"),
                root.GetProperty("bytes").GetInt32(),
                root.GetProperty("sealed").GetBoolean());
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new BadInputException(string.Create(CultureInfo.InvariantCulture, $"{source} line {number} is not an audit record: {ex.Message}"), ex);
        }
    }

    private static string? NullableString(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? null : element.GetString() ?? throw new FormatException("not a string");
}
