using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Perf.Testing.Nats;

/// <summary>Asking NATS itself what the relay's JetStream store left there: messages on a mailbox subject, and whether anything listens on a subject.</summary>
public static class MailboxStreamProbe
{
    /// <summary>The mailbox stream's default name.</summary>
    public const string Stream = "RELAY_MAILBOXES";

    /// <summary>How many messages the mailbox stream holds on <paramref name="subject"/> (JetStream's own count).</summary>
    public static async Task<ulong> MessagesOnAsync(string url, string subject)
    {
        await using var nats = new NatsConnection(new NatsOpts { Url = url });
        var stream = await new NatsJSContext(nats).GetStreamAsync(Stream, new StreamInfoRequest { SubjectsFilter = subject });
        return stream.Info.State.Subjects is { } subjects && subjects.TryGetValue(subject, out var count) ? (ulong)count : 0;
    }

    /// <summary>Whether anything subscribes to <paramref name="subject"/>: a request there gets "no responders" only when nothing does.</summary>
    public static async Task<bool> HasInterestAsync(NatsConnection nats, string subject)
    {
        ArgumentNullException.ThrowIfNull(nats);
        try
        {
            await nats.RequestAsync<byte[], byte[]>(subject, [], replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromMilliseconds(300) });
            return true;
        }
        catch (NatsNoRespondersException)
        {
            return false;
        }
        catch (NatsNoReplyException)
        {
            return true; // delivered to a subscriber that does not answer requests: a relay node
        }
    }

    /// <summary>The subject JetStream republishes <paramref name="identity"/>'s stored messages on (<c>_RL.&lt;stream&gt;.&lt;hex&gt;</c>, docs/protocol.md).</summary>
    public static string LiveSubject(ReadOnlySpan<byte> identity) => $"_RL.{Stream}.{Convert.ToHexStringLower(identity)}";

    /// <summary>The subject <paramref name="identity"/>'s messages are stored on (<c>relay.mbox.&lt;hex&gt;</c>).</summary>
    public static string MailboxSubject(ReadOnlySpan<byte> identity) => $"relay.mbox.{Convert.ToHexStringLower(identity)}";
}
