using NATS.Client.Core;

namespace Relay.Store.Nats.Tests;

/// <summary>Waiting for asynchronous outcomes with a deadline, and asking NATS itself what it holds.</summary>
internal static class Polling
{
    public static Task WaitUntilAsync(Func<bool> condition, string what, int seconds = 20) =>
        WaitUntilAsync(() => Task.FromResult(condition()), what, seconds);

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    // How many messages the mailbox stream holds on `subject` (JetStream's own count).
    public static async Task<ulong> MessagesOnAsync(string url, string subject)
    {
        await using var nats = new NatsConnection(new NatsOpts { Url = url });
        var js = new NATS.Client.JetStream.NatsJSContext(nats);
        var stream = await js.GetStreamAsync("RELAY_MAILBOXES", new NATS.Client.JetStream.Models.StreamInfoRequest { SubjectsFilter = subject });
        return stream.Info.State.Subjects is { } subjects && subjects.TryGetValue(subject, out var count) ? (ulong)count : 0;
    }

    // Whether anything subscribes to `subject`: a request there gets "no responders" only when nothing does.
    public static async Task<bool> HasInterestAsync(NatsConnection nats, string subject)
    {
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
            return true; // delivered to a subscriber that does not answer requests: the relay node
        }
    }
}
