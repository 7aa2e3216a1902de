using Relay.Client;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Perf.Testing.Relays;

/// <summary>Reading what a relay answers with a bound on waiting, so a broken relay fails a test instead of hanging it.</summary>
public static class RelayClientExpectations
{
    /// <summary>How long a test waits for one frame by default.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>The next frame, which must be of <paramref name="type"/>, within <paramref name="seconds"/> (default <see cref="Patience"/>).</summary>
    public static async Task<RelayFrame> ExpectAsync(this RelayClientConnection client, FrameType type, int? seconds = null)
    {
        using var timeout = new CancellationTokenSource(seconds is { } s ? TimeSpan.FromSeconds(s) : Patience);
        var frame = await client.ReadAsync(timeout.Token);
        Assert.True(frame.HasValue, $"the relay closed the connection while {type} was expected");
        Assert.True(type == frame.Value.Type, $"expected {type}, got {frame.Value.Type} (code {frame.Value.Code})");
        return frame.Value;
    }

    /// <summary>The next frame, whatever it is.</summary>
    public static async Task<RelayFrame> ExpectAnyAsync(this RelayClientConnection client)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var frame = await client.ReadAsync(timeout.Token);
        Assert.True(frame.HasValue, "the relay closed the connection while a frame was expected");
        return frame.Value;
    }

    /// <summary>The next frame, which must be a DELIVER: its relay id, sender and envelope.</summary>
    public static async Task<(ulong RelayId, Identity Sender, byte[] Envelope)> ExpectDeliverAsync(this RelayClientConnection client)
    {
        var frame = await client.ExpectAsync(FrameType.Deliver);
        return (frame.RelayMessageId, frame.Identity, System.Buffers.BuffersExtensions.ToArray(frame.Envelope));
    }

    /// <summary>Sends <paramref name="envelope"/> to <paramref name="recipient"/> as SEND <paramref name="id"/>; the answer must be ACCEPTED.</summary>
    public static async Task SendAndExpectAcceptedAsync(this RelayClientConnection client, ulong id, X25519KeyPair recipient, byte[] envelope)
    {
        var answer = await client.SendAsync(id, recipient, envelope);
        Assert.True(answer.Type == FrameType.Accepted, $"SEND {id} was answered {answer.Type} (code {answer.Code})");
    }

    /// <summary>Sends <paramref name="envelope"/> to <paramref name="recipient"/> as SEND <paramref name="id"/> and returns the answer, ACCEPTED or REJECTED.</summary>
    public static async Task<RelayFrame> SendAsync(this RelayClientConnection client, ulong id, X25519KeyPair recipient, byte[] envelope)
    {
        client.Send(id, new Identity(recipient.PublicKey), envelope);
        await client.FlushAsync();
        var frame = await client.ExpectAnyAsync();
        Assert.True(frame is { Type: FrameType.Accepted or FrameType.Rejected }, $"no answer to SEND {id}: {frame.Type} {frame.ClientMessageId} {frame.Code}");
        Assert.Equal(id, frame.ClientMessageId);
        return frame;
    }

    /// <summary>A PING answered by a PONG with nothing before it proves nothing else was waiting for this client.</summary>
    public static async Task ExpectNothingPendingAsync(this RelayClientConnection client)
    {
        client.Ping(99);
        await client.FlushAsync();
        var pong = await client.ExpectAsync(FrameType.Pong);
        Assert.Equal(99UL, pong.ClientMessageId);
    }
}
