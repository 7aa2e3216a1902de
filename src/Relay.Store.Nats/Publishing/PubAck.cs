using System.Buffers;
using System.Buffers.Text;
using Relay.Protocol.Frames;
using Relay.Protocol.Routing;

namespace Relay.Store.Nats.Publishing;

/// <summary>
/// Reads JetStream's answer to a publish without a JSON parser: <c>{"stream":"S", "seq":N}</c>
/// (maybe with <c>"domain"</c> or <c>"duplicate"</c>) is stored as N; an answer with an
/// <c>"error"</c> is refused (<c>MailboxFull</c> when a message or byte limit said no,
/// <c>StoreUnavailable</c> otherwise); an empty answer (a 503 "no responders" status: no stream
/// took the subject) or anything unreadable is <c>StoreUnavailable</c>.
/// </summary>
internal static class PubAck
{
    /// <summary>What the answer means for the SEND.</summary>
    public static SendOutcome Read(in ReadOnlySequence<byte> payload)
    {
        if (payload.IsEmpty || payload.Length > 4096)
        {
            return SendOutcome.Refused(RejectReason.StoreUnavailable);
        }

        Span<byte> copy = stackalloc byte[(int)payload.Length];
        payload.CopyTo(copy);
        return Read(copy);
    }

    /// <summary>What the answer means for the SEND.</summary>
    public static SendOutcome Read(ReadOnlySpan<byte> json)
    {
        if (json.IndexOf("\"error\""u8) >= 0)
        {
            // "maximum messages per subject exceeded", "maximum messages exceeded", "maximum bytes exceeded".
            return json.IndexOf("maximum messages"u8) >= 0 || json.IndexOf("maximum bytes"u8) >= 0
                ? SendOutcome.Refused(RejectReason.MailboxFull)
                : SendOutcome.Refused(RejectReason.StoreUnavailable);
        }

        var at = json.IndexOf("\"seq\":"u8);
        if (at < 0)
        {
            return SendOutcome.Refused(RejectReason.StoreUnavailable);
        }

        var digits = json[(at + 6)..].TrimStart((byte)' ');
        return Utf8Parser.TryParse(digits, out ulong sequence, out _) && sequence > 0
            ? SendOutcome.Held(sequence)
            : SendOutcome.Refused(RejectReason.StoreUnavailable);
    }
}
