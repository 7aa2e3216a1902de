using System.Globalization;
using System.Text;

namespace Perf.Results.Metadata;

/// <summary>
/// The answer key beside an audit log (<c>truth-MODE.json</c>): each user's identity and, per relay
/// id, the true sender, recipient, plaintext size and whether it was a reply, so anyone can score
/// another attack on the same log. Identity public keys only; no secrets.
/// </summary>
public static class GroundTruth
{
    /// <summary>Writes the file.</summary>
    public static void Write(string path, IReadOnlyList<byte[]> identities, IReadOnlyList<SentMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(identities);
        ArgumentNullException.ThrowIfNull(messages);
        var text = new StringBuilder("{\"identities\":[");
        for (var i = 0; i < identities.Count; i++)
        {
            text.Append(i == 0 ? "\"" : ",\"").Append(Convert.ToBase64String(identities[i])).Append('"');
        }

        text.Append("],\"messages\":[");
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            text.Append(i == 0 ? "\n" : ",\n").Append(CultureInfo.InvariantCulture, $"{{\"id\":{m.RelayMessageId},\"sender\":{m.Sender},\"recipient\":{m.Recipient},\"plaintext_bytes\":{m.PlaintextBytes},\"reply\":{(m.Reply ? "true" : "false")}}}");
        }

        File.WriteAllText(path, text.Append("]}\n").ToString());
    }
}
