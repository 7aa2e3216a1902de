using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using NATS.Client.Core;
using Relay.Protocol.Frames;
using Relay.Store.Nats.Requests;

namespace Relay.Store.Nats.Live;

/// <summary>
/// Reads a recipient's held messages from the stream one at a time, oldest first after a given
/// sequence (<c>$JS.API.STREAM.MSG.GET</c> with <c>next_by_subj</c>; the stream leader answers, so
/// nothing it acknowledged is missed). Every connect does one, most finding nothing, so the request
/// is written and its answer read by hand on this node's read inbox (<c>_RR.&lt;node&gt;.&gt;</c>):
/// no request object, no exception for "no message", little garbage per idle connection.
/// </summary>
internal sealed class HeldMessageReads(NatsConnection connection, MailboxSubjects subjects, string stream, string inbox)
{
    private const int NoMessageFound = 10037;
    private static readonly HeldRead Failed = new(HeldReadKind.Failed, 0, default, null, 0);
    private readonly RequestSlots<HeldRead> _slots = new(inbox, 4_096);
    private readonly string _api = $"$JS.API.STREAM.MSG.GET.{stream}";

    /// <summary>The reply subjects' prefix.</summary>
    public string Inbox => _slots.Inbox;

    /// <summary>
    /// The oldest message held for <paramref name="recipient"/> at or after <paramref name="from"/>;
    /// when found, its buffer is the caller's to return to <see cref="ArrayPool{T}.Shared"/>.
    /// </summary>
    public ValueTask<HeldRead> NextAsync(Identity recipient, ulong from)
    {
        var slot = _slots.Reserve();
        if (slot is null)
        {
            return new ValueTask<HeldRead>(Failed);
        }

        var answer = slot.Task;
        var body = ArrayPool<byte>.Shared.Rent(64 + subjects.MailboxLength);
        var length = Request(body, recipient, Math.Max(1, from));
        PooledPublish.Send(connection, _api, body, length, slot, GiveUp);
        return answer;
    }

    /// <summary>Completes the read <paramref name="replySubject"/> names with JetStream's answer (NATS's reader thread).</summary>
    public void Answer(string replySubject, in ReadOnlySequence<byte> payload)
    {
        var slot = _slots.Find(replySubject, out var epoch);
        if (slot is null)
        {
            return;
        }

        var read = Parse(payload, subjects);
        if (!slot.TryAnswer(epoch, read) && read.Buffer is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer); // late: nobody waits for it
        }
    }

    /// <summary>Gives up reads that waited since before <paramref name="startedBefore"/> (their callers try again).</summary>
    public int AbandonOlderThan(long startedBefore) => _slots.AbandonOlderThan(startedBefore, Failed);

    /// <summary>
    /// Reads <c>{"type":..., "message":{"subject":..., "seq":N, "data":"base64", ...}}</c> or
    /// <c>{"type":..., "error":{"code":404, "err_code":10037, ...}}</c>; anything else is a failure.
    /// </summary>
    internal static HeldRead Parse(in ReadOnlySequence<byte> json, MailboxSubjects subjects)
    {
        byte[]? buffer = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Failed;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("error"u8))
                {
                    return ReadError(ref reader);
                }

                if (!reader.ValueTextEquals("message"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                return ReadMessage(ref reader, subjects, ref buffer);
            }

            return Failed;
        }
        catch (JsonException)
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return Failed;
        }
    }

    private static HeldRead ReadError(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return Failed;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isCode = reader.ValueTextEquals("err_code"u8);
            reader.Read();
            if (isCode && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var code) && code == NoMessageFound)
            {
                return new HeldRead(HeldReadKind.None, 0, default, null, 0);
            }

            reader.Skip();
        }

        return Failed;
    }

    private static HeldRead ReadMessage(ref Utf8JsonReader reader, MailboxSubjects subjects, ref byte[]? buffer)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return Failed;
        }

        ulong sequence = 0;
        Identity? recipient = null;
        var length = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("subject"u8))
            {
                reader.Read();
                recipient = reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence
                    && subjects.TryReadMailbox(reader.ValueSpan, out var owner) ? owner : null;
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetUInt64(out sequence))
                {
                    return Failed;
                }
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
                {
                    return Failed;
                }

                var base64 = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
                buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, Base64.GetMaxDecodedFromUtf8Length(base64.Length)));
                if (Base64.DecodeFromUtf8(base64, buffer, out _, out length) != OperationStatus.Done)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                    return Failed;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (sequence == 0 || recipient is not { } found)
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }

            return Failed;
        }

        return new HeldRead(HeldReadKind.Found, sequence, found, buffer ?? ArrayPool<byte>.Shared.Rent(1), length);
    }

    private int Request(Span<byte> destination, Identity recipient, ulong from)
    {
        var length = Copy("{\"seq\":"u8, destination);
        Utf8Formatter.TryFormat(from, destination[length..], out var written);
        length += written;
        length += Copy(",\"next_by_subj\":\""u8, destination[length..]);
        length += subjects.WriteMailbox(destination[length..], recipient);
        length += Copy("\"}"u8, destination[length..]);
        return length;
    }

    private static int Copy(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        source.CopyTo(destination);
        return source.Length;
    }

    // NATS refused the request: the reader tries again after its pause.
    private static void GiveUp(RequestSlot<HeldRead> slot, Exception ex) => slot.TryAbandon(Failed);
}

/// <summary>What a read of held messages found.</summary>
internal enum HeldReadKind
{
    /// <summary>No answer, or one that could not be read: try again later.</summary>
    Failed,

    /// <summary>No message at or after the sequence asked for.</summary>
    None,

    /// <summary>A message.</summary>
    Found,
}

/// <summary>A read's answer: for <see cref="HeldReadKind.Found"/>, the message's sequence, whose mailbox it is and its stored bytes (a pooled buffer the caller returns).</summary>
internal readonly record struct HeldRead(HeldReadKind Kind, ulong Sequence, Identity Recipient, byte[]? Buffer, int Length);
