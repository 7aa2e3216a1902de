using System.Globalization;
using System.Text.Json;

namespace Perf.Results.Metadata;

/// <summary>One message line of the relay's audit log (<c>perf relay --audit-log</c>): what the relay saw of one accepted message.</summary>
/// <param name="UnixMilliseconds"><c>t</c>.</param>
/// <param name="RelayMessageId"><c>id</c>.</param>
/// <param name="Connection"><c>conn</c>.</param>
/// <param name="ConnectionIdentity"><c>conn_identity</c>, null for an anonymous connection.</param>
/// <param name="Sender"><c>sender</c>, null when the relay did not know it.</param>
/// <param name="Recipient"><c>recipient</c>: an identity, or a conversation mailbox's address.</param>
/// <param name="Bytes"><c>bytes</c>: the envelope length.</param>
/// <param name="Sealed"><c>sealed</c>.</param>
public sealed record AuditEntry(long UnixMilliseconds, ulong RelayMessageId, long Connection, string? ConnectionIdentity, string? Sender, string Recipient, int Bytes, bool Sealed)
{
    /// <summary><c>conversation</c>: sent to a conversation mailbox (MAILBOX_SEND), so <see cref="Recipient"/> is a mailbox address, not an identity. Absent in logs of older relays: false.</summary>
    public bool Conversation { get; init; }

    /// <summary>The message lines of an audit log (<see cref="AuditTrail.Read"/> has the connection and mailbox lines too).</summary>
    /// <exception cref="BadInputException">Missing file or malformed line.</exception>
    public static List<AuditEntry> ReadAll(string path) => AuditTrail.Read(path).Messages;

    /// <summary>Parses one message line.</summary>
    /// <exception cref="BadInputException">Not JSON, or a field missing or of the wrong type.</exception>
    public static AuditEntry Parse(string line, string source, int number)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return FromJson(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw AuditTrail.BadLine(source, number, ex);
        }
    }

    internal static AuditEntry FromJson(JsonElement root) => new(
        root.GetProperty("t").GetInt64(),
        root.GetProperty("id").GetUInt64(),
        root.GetProperty("conn").GetInt64(),
        AuditTrail.NullableString(root.GetProperty("conn_identity")),
        AuditTrail.NullableString(root.GetProperty("sender")),
        root.GetProperty("recipient").GetString() ?? throw new FormatException("recipient is null"),
        root.GetProperty("bytes").GetInt32(),
        root.GetProperty("sealed").GetBoolean())
    {
        Conversation = root.TryGetProperty("conversation", out var conversation) && conversation.GetBoolean(),
    };
}

/// <summary>One connection or mailbox line of the audit log: <c>{"t","event","conn",...}</c>.</summary>
/// <param name="UnixMilliseconds"><c>t</c>.</param>
/// <param name="Kind"><c>event</c>: <c>connect</c>, <c>disconnect</c> or <c>open_mailbox</c>.</param>
/// <param name="Connection"><c>conn</c>.</param>
/// <param name="Identity"><c>conn_identity</c> of a <c>connect</c> (null: anonymous).</param>
/// <param name="Mailbox"><c>mailbox</c> of an <c>open_mailbox</c>.</param>
public sealed record AuditEvent(long UnixMilliseconds, string Kind, long Connection, string? Identity, string? Mailbox)
{
    /// <summary>A connection finished its handshake.</summary>
    public const string Connect = "connect";

    /// <summary>A connection ended.</summary>
    public const string Disconnect = "disconnect";

    /// <summary>A connection opened a conversation mailbox.</summary>
    public const string OpenMailbox = "open_mailbox";

    internal static AuditEvent FromJson(JsonElement root)
    {
        var kind = root.GetProperty("event").GetString();
        var t = root.GetProperty("t").GetInt64();
        var connection = root.GetProperty("conn").GetInt64();
        return kind switch
        {
            Connect => new AuditEvent(t, kind, connection, AuditTrail.NullableString(root.GetProperty("conn_identity")), null),
            Disconnect => new AuditEvent(t, kind, connection, null, null),
            OpenMailbox => new AuditEvent(t, kind, connection, null, root.GetProperty("mailbox").GetString() ?? throw new FormatException("mailbox is null")),
            _ => throw new FormatException($"unknown event '{kind}'"),
        };
    }
}

/// <summary>A whole audit log: its message lines and its connection and mailbox lines, each in file order.</summary>
/// <param name="Messages">Accepted messages.</param>
/// <param name="Events">Connections opened and closed, mailboxes opened.</param>
public sealed record AuditTrail(List<AuditEntry> Messages, List<AuditEvent> Events)
{
    /// <summary>
    /// Reads an audit log, also while the relay still appends to it: a last line without its
    /// newline is not yet whole and is left for the next read. Any other line that is not one of
    /// its records is bad input naming the line.
    /// </summary>
    /// <exception cref="BadInputException">Missing file or malformed line.</exception>
    public static AuditTrail Read(string path)
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

        var trail = new AuditTrail([], []);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(lines[i]);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("event", out _))
                {
                    trail.Events.Add(AuditEvent.FromJson(root));
                }
                else
                {
                    trail.Messages.Add(AuditEntry.FromJson(root));
                }
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw BadLine(path, i + 1, ex);
            }
        }

        return trail;
    }

    internal static BadInputException BadLine(string source, int number, Exception ex) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{source} line {number} is not an audit record: {ex.Message}"), ex);

    internal static string? NullableString(JsonElement element) =>
        element.ValueKind == JsonValueKind.Null ? null : element.GetString() ?? throw new FormatException("not a string");
}
