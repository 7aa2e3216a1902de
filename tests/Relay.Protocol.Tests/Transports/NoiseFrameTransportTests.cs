using Perf.Testing.Allocations;
using System.IO.Pipelines;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Noise.Framing;
using Relay.Protocol.Transports;

namespace Relay.Protocol.Tests.Transports;

public sealed class NoiseFrameTransportTests
{
    // Continuations run on the thread that completes the pipe, so a whole cycle stays on the test's thread.
    private static readonly PipeOptions Inline = new(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false);

    [Fact]
    public async Task A_read_that_waits_for_its_frame_allocates_nothing_in_steady_state()
    {
        var (sender, receiver, receiverPipe) = await ConnectedAsync();
        var transport = new NoiseFrameTransport(receiver, receiverPipe);
        var frame = new byte[256];
        var failures = 0;
        int Cycle()
        {
            // The read starts before the frame is written, so it suspends, as a relay's read loop
            // does between messages; the writer's flush then completes it on this thread.
            var read = transport.ReadAsync(CancellationToken.None);
            if (read.IsCompleted)
            {
                return 1;
            }

            sender.Write(frame);
            var flush = sender.FlushAsync();
            if (!flush.IsCompletedSuccessfully || !read.IsCompletedSuccessfully)
            {
                return 1;
            }

            return read.Result.Frame.Length == frame.Length ? 0 : 1;
        }

        Allocations.AssertNone(() => failures += Cycle(), warmUpCalls: 100);
        Assert.Equal(0, failures);
    }

    private static async Task<(NoiseChannel Sender, NoiseChannel Receiver, IDuplexPipe ReceiverPipe)> ConnectedAsync()
    {
        var toServer = new Pipe(Inline);
        var toClient = new Pipe(Inline);
        var client = new DuplexPipe(toClient.Reader, toServer.Writer);
        var server = new DuplexPipe(toServer.Reader, toClient.Writer);
        var serverKey = X25519KeyPair.Generate();
        var accept = NoiseChannel.AcceptAsync(server, new NoiseChannelOptions { StaticKey = serverKey, Backend = AeadBackend.Sodium }, CancellationToken.None);
        var connect = NoiseChannel.ConnectAsync(client, new NoiseChannelOptions { StaticKey = X25519KeyPair.Generate(), Backend = AeadBackend.Sodium, ExpectedRemoteStaticKey = serverKey.PublicKey.ToArray() }, CancellationToken.None);
        return (await connect, await accept, server);
    }

    private sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}
