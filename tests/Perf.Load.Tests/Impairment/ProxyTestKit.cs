using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Perf.Load.Tests.Impairment;

/// <summary>Bounded socket helpers for the proxy's tests: every wait fails the test after <see cref="Patience"/>.</summary>
internal static class ProxyTestKit
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint);
        return socket;
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes; returns them and how many reads it took. Fails the test after <see cref="Patience"/>.</summary>
    public static async Task<(byte[] Bytes, int Reads)> ReceiveExactlyAsync(Socket socket, int count)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var bytes = new byte[count];
        var received = 0;
        var reads = 0;
        while (received < count)
        {
            var got = await socket.ReceiveAsync(bytes.AsMemory(received), SocketFlags.None, timeout.Token);
            Assert.True(got > 0, $"the connection closed after {received} of {count} bytes");
            received += got;
            reads++;
        }

        return (bytes, reads);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing the test after <see cref="Patience"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(Patience.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, $"timed out waiting until {what}");
            await Task.Delay(10);
        }
    }

    public static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
