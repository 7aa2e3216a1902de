using System.Buffers;
using System.Buffers.Text;

namespace Relay.Store.Nats.Live;

/// <summary>
/// The headers JetStream puts on a message it republishes once stored (nats-server 2.9
/// <c>RePublish</c>): <c>Nats-Subject</c> (where it was stored), <c>Nats-Sequence</c> (its stream
/// sequence, the relay id) and <c>Nats-Last-Sequence</c> (the newest message on the same subject
/// when it was stored, 0 for none): the link that lets a node see whether it missed a message
/// for that recipient.
/// </summary>
internal readonly ref struct Republished
{
    private Republished(ReadOnlySpan<byte> subject, ulong sequence, ulong lastSequence)
    {
        Subject = subject;
        Sequence = sequence;
        LastSequence = lastSequence;
    }

    /// <summary>The stored subject (UTF-8).</summary>
    public ReadOnlySpan<byte> Subject { get; }

    /// <summary>The message's stream sequence.</summary>
    public ulong Sequence { get; }

    /// <summary>The newest message on the same subject when this one was stored (0: none).</summary>
    public ulong LastSequence { get; }

    /// <summary>Reads the headers (<c>NATS/1.0\r\n...</c>, as they came off the wire); false when one of the three is missing or malformed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> headers, out Republished republished)
    {
        republished = default;
        if (!TryValue(headers, "\r\nNats-Subject: "u8, out var subject)
            || !TryValue(headers, "\r\nNats-Sequence: "u8, out var sequenceText)
            || !TryValue(headers, "\r\nNats-Last-Sequence: "u8, out var lastText)
            || !Utf8Parser.TryParse(sequenceText, out ulong sequence, out var used) || used != sequenceText.Length || sequence == 0
            || !Utf8Parser.TryParse(lastText, out ulong last, out used) || used != lastText.Length || last >= sequence)
        {
            return false;
        }

        republished = new Republished(subject, sequence, last);
        return true;
    }

    /// <summary><see cref="TryRead(ReadOnlySpan{byte}, out Republished)"/> over a buffer that may be in pieces.</summary>
    public static bool TryRead(in ReadOnlySequence<byte> headers, Span<byte> scratch, out Republished republished)
    {
        republished = default;
        if (headers.IsSingleSegment)
        {
            return TryRead(headers.FirstSpan, out republished);
        }

        if (headers.Length > scratch.Length)
        {
            return false;
        }

        headers.CopyTo(scratch);
        return TryRead(scratch[..(int)headers.Length], out republished);
    }

    private static bool TryValue(ReadOnlySpan<byte> headers, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        value = default;
        var at = headers.IndexOf(name);
        if (at < 0)
        {
            return false;
        }

        var rest = headers[(at + name.Length)..];
        var end = rest.IndexOf((byte)'\r');
        if (end <= 0)
        {
            return false;
        }

        value = rest[..end];
        return true;
    }
}
