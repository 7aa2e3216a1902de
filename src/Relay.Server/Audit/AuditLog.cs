using System.Buffers;
using System.Buffers.Text;
using Relay.Protocol.Frames;

namespace Relay.Server.Audit;

/// <summary>
/// The relay's view, written down: one JSON line per accepted SEND, SEALED_SEND or MAILBOX_SEND
/// (<c>{"t","id","conn","conn_identity","sender","recipient","bytes","sealed","conversation"}</c>,
/// identities and mailbox addresses in base64, <c>null</c> where the relay does not know), and one
/// per connection opened (<c>{"t","event":"connect","conn","conn_identity"}</c>), closed
/// (<c>{"t","event":"disconnect","conn"}</c>) and conversation mailbox opened
/// (<c>{"t","event":"open_mailbox","conn","mailbox"}</c>). The relay's path only copies a fixed-size
/// record into a buffer under a short lock; a background task swaps buffers every
/// <see cref="FlushInterval"/>, formats the lines and writes them, so the hot path neither
/// formats nor waits for the disk and, in steady state, allocates nothing. Nothing is dropped: a
/// buffer that fills grows. Disposing writes what is left.
/// </summary>
public sealed class AuditLog : IAsyncDisposable
{
    /// <summary>How often buffered records are written.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);

    private readonly object _gate = new();
    private readonly Stream _output;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private readonly ArrayBufferWriter<byte> _line = new(512);
    private AuditRecord[] _filling = new AuditRecord[4096];
    private AuditRecord[] _draining = new AuditRecord[4096];
    private int _count;
    private long _written;

    /// <summary>Writes lines to <paramref name="output"/> (the log owns and closes it).</summary>
    public AuditLog(Stream output)
    {
        _output = output ?? throw new ArgumentNullException(nameof(output));
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Records go to <paramref name="path"/>, appended, created if absent.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public static AuditLog Open(string path) =>
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16));

    /// <summary>Lines written so far.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Records one event. Called on the relay's path: a copy under a lock, no allocation in steady state.</summary>
    public void Record(in AuditRecord record)
    {
        lock (_gate)
        {
            if (_count == _filling.Length)
            {
                Array.Resize(ref _filling, _count * 2);
            }

            _filling[_count++] = record;
        }
    }

    /// <summary>Writes every record taken so far and flushes the file (tests and shutdown).</summary>
    public async Task FlushAsync()
    {
        await _flushLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await DrainAsync().ConfigureAwait(false);
        }
        finally
        {
            _flushLock.Release();
        }
    }

    /// <summary>Stops the writer after a last drain and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _writer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the loop ends by cancellation
        }

        await FlushAsync().ConfigureAwait(false);
        await _output.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _flushLock.Dispose();
    }

    private readonly SemaphoreSlim _flushLock = new(1, 1);

    private async Task WriteLoopAsync()
    {
        using var timer = new PeriodicTimer(FlushInterval);
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            await FlushAsync().ConfigureAwait(false);
        }
    }

    private async Task DrainAsync()
    {
        int count;
        lock (_gate)
        {
            (_filling, _draining) = (_draining, _filling);
            count = _count;
            _count = 0;
        }

        if (count == 0)
        {
            return;
        }

        for (var i = 0; i < count; i++)
        {
            _line.ResetWrittenCount();
            Format(_draining[i], _line);
            await _output.WriteAsync(_line.WrittenMemory).ConfigureAwait(false);
        }

        await _output.FlushAsync().ConfigureAwait(false);
        Interlocked.Add(ref _written, count);
    }

    /// <summary>Formats one record as a JSON line (UTF-8, ending in a newline).</summary>
    public static void Format(in AuditRecord record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(400);
        var at = 0;
        Append(span, ref at, "{\"t\":"u8);
        at += Number(record.UnixMilliseconds, span[at..]);
        if (record.Kind != AuditKind.Message)
        {
            FormatEvent(record, span, ref at);
            output.Advance(at);
            return;
        }

        Append(span, ref at, ",\"id\":"u8);
        Utf8Formatter.TryFormat(record.RelayMessageId, span[at..], out var written);
        at += written;
        Append(span, ref at, ",\"conn\":"u8);
        at += Number(record.ConnectionId, span[at..]);
        Append(span, ref at, ",\"conn_identity\":"u8);
        IdentityOrNull(record.ConnectionIdentity, span, ref at);
        Append(span, ref at, ",\"sender\":"u8);
        IdentityOrNull(record.Sender, span, ref at);
        Append(span, ref at, ",\"recipient\":"u8);
        IdentityOrNull(record.Recipient, span, ref at);
        Append(span, ref at, ",\"bytes\":"u8);
        at += Number(record.Bytes, span[at..]);
        Append(span, ref at, record.Sealed ? ",\"sealed\":true"u8 : ",\"sealed\":false"u8);
        Append(span, ref at, record.Conversation ? ",\"conversation\":true}\n"u8 : ",\"conversation\":false}\n"u8);
        output.Advance(at);
    }

    // The rest of a connection or mailbox line, after its time.
    private static void FormatEvent(in AuditRecord record, Span<byte> span, ref int at)
    {
        Append(span, ref at, record.Kind switch
        {
            AuditKind.Connected => ",\"event\":\"connect\",\"conn\":"u8,
            AuditKind.Disconnected => ",\"event\":\"disconnect\",\"conn\":"u8,
            _ => ",\"event\":\"open_mailbox\",\"conn\":"u8,
        });
        at += Number(record.ConnectionId, span[at..]);
        if (record.Kind == AuditKind.Connected)
        {
            Append(span, ref at, ",\"conn_identity\":"u8);
            IdentityOrNull(record.ConnectionIdentity, span, ref at);
        }
        else if (record.Kind == AuditKind.MailboxOpened)
        {
            Append(span, ref at, ",\"mailbox\":"u8);
            IdentityOrNull(record.Recipient, span, ref at);
        }

        Append(span, ref at, "}\n"u8);
    }

    private static int Number(long value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out var written);
        return written;
    }

    private static void Append(Span<byte> span, ref int at, ReadOnlySpan<byte> text)
    {
        text.CopyTo(span[at..]);
        at += text.Length;
    }

    private static void IdentityOrNull(Identity identity, Span<byte> span, ref int at)
    {
        if (identity.IsEmpty)
        {
            Append(span, ref at, "null"u8);
            return;
        }

        Span<byte> raw = stackalloc byte[Identity.Size];
        identity.CopyTo(raw);
        span[at++] = (byte)'"';
        Base64.EncodeToUtf8(raw, span[at..], out _, out var written);
        at += written;
        span[at++] = (byte)'"';
    }
}
