using Perf.Testing.Allocations;
using System.Text;
using System.Text.Json;
using Relay.Protocol.Frames;
using Relay.Server.Audit;

namespace Relay.Server.Tests;

/// <summary>The audit log writer: the exact lines (messages, connections, mailboxes), nothing lost under concurrent records, and no allocation on the relay's path.</summary>
public sealed class AuditLogTests
{
    private static readonly Identity Alice = new(Enumerable.Repeat((byte)0xA1, 32).ToArray());
    private static readonly Identity Bob = new(Enumerable.Repeat((byte)0xB0, 32).ToArray());

    [Fact]
    public void A_record_is_one_json_line_with_nulls_where_the_relay_does_not_know()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        AuditLog.Format(new AuditRecord(1_700_000_000_123, 42, 7, default, default, Bob, 300, true), output);
        AuditLog.Format(new AuditRecord(1_700_000_000_124, 43, 8, Alice, Alice, Bob, 301, false), output);
        AuditLog.Format(new AuditRecord(1_700_000_000_125, 44, 9, default, default, Bob, 302, true) { Conversation = true }, output);
        AuditLog.Format(AuditRecord.Connected(1_700_000_000_126, 10, Alice), output);
        AuditLog.Format(AuditRecord.Connected(1_700_000_000_127, 11, default), output);
        AuditLog.Format(AuditRecord.MailboxOpened(1_700_000_000_128, 11, Bob), output);
        AuditLog.Format(AuditRecord.Disconnected(1_700_000_000_129, 10), output);

        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Equal(
            $"{{\"t\":1700000000123,\"id\":42,\"conn\":7,\"conn_identity\":null,\"sender\":null,\"recipient\":\"{Bob}\",\"bytes\":300,\"sealed\":true,\"conversation\":false}}\n"
            + $"{{\"t\":1700000000124,\"id\":43,\"conn\":8,\"conn_identity\":\"{Alice}\",\"sender\":\"{Alice}\",\"recipient\":\"{Bob}\",\"bytes\":301,\"sealed\":false,\"conversation\":false}}\n"
            + $"{{\"t\":1700000000125,\"id\":44,\"conn\":9,\"conn_identity\":null,\"sender\":null,\"recipient\":\"{Bob}\",\"bytes\":302,\"sealed\":true,\"conversation\":true}}\n"
            + $"{{\"t\":1700000000126,\"event\":\"connect\",\"conn\":10,\"conn_identity\":\"{Alice}\"}}\n"
            + "{\"t\":1700000000127,\"event\":\"connect\",\"conn\":11,\"conn_identity\":null}\n"
            + $"{{\"t\":1700000000128,\"event\":\"open_mailbox\",\"conn\":11,\"mailbox\":\"{Bob}\"}}\n"
            + "{\"t\":1700000000129,\"event\":\"disconnect\",\"conn\":10}\n",
            text);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var _ = JsonDocument.Parse(line);
        }
    }

    [Fact]
    public async Task Concurrent_records_all_reach_the_file_in_full_lines()
    {
        using var stream = new MemoryStream();
        var log = new AuditLog(new KeepOpen(stream));
        const int Threads = 4, PerThread = 20_000;
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                log.Record(new AuditRecord(1, (ulong)((t * PerThread) + i), t, Alice, Alice, Bob, i, false));
            }
        })));
        await log.DisposeAsync();

        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Threads * PerThread, lines.Length);
        Assert.Equal(Threads * PerThread, lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetUInt64()).Distinct().Count());
    }

    [Fact]
    public async Task Recording_allocates_nothing_once_the_buffers_have_grown()
    {
        await using var log = new AuditLog(Stream.Null);
        var record = new AuditRecord(1, 2, 3, Alice, Alice, Bob, 300, false);
        for (var i = 0; i < 1000; i++)
        {
            log.Record(record);
        }

        await log.FlushAsync();
        Allocations.AssertNone(() => log.Record(record), warmUpCalls: 0);
    }

    // The log closes its stream; the test still wants to read it afterwards.
    private sealed class KeepOpen(MemoryStream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            inner.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
    }
}
