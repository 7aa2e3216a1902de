using System.Net;
using System.Net.Sockets;
using Relay.Client;

namespace Relay.Client.Tests;

/// <summary>
/// The client's TCP close keeps what was written: against a plain socket server that answers every
/// read at once, as the relay does, everything written before the close arrives, followed by FIN
/// and not by a reset (which an answer left unread at close would cause).
/// </summary>
public sealed class ClientSocketPipeTests
{
    private const int Written = 4 * 1024 * 1024;

    [Fact]
    public async Task Everything_written_before_a_close_arrives_although_answers_were_never_read()
    {
        using var listener = Listen();
        var server = AnswerEveryReadAsync(listener, closeAtEnd: true);
        using var socket = await ConnectAsync(listener);
        var pipe = new ClientSocketPipe(socket);

        var chunk = new byte[64 * 1024];
        for (var sent = 0; sent < Written; sent += chunk.Length)
        {
            await pipe.Output.WriteAsync(chunk);
        }

        await pipe.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        var (received, ending) = await server.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("FIN", ending);
        Assert.Equal(Written, received);
    }

    [Fact]
    public async Task A_peer_that_never_closes_does_not_hold_the_close_forever()
    {
        using var listener = Listen();
        var server = AnswerEveryReadAsync(listener, closeAtEnd: false);
        using var socket = await ConnectAsync(listener);
        var pipe = new ClientSocketPipe(socket);
        await pipe.Output.WriteAsync(new byte[1000]);

        await pipe.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)); // gives up after its 2 s drain

        var (received, _) = await server.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1000, received);
        var read = await pipe.Input.ReadAsync();
        Assert.True(read.IsCompleted); // a reader still holding the pipe sees the end, not an exception
    }

    private static Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        return listener;
    }

    private static async Task<Socket> ConnectAsync(Socket listener)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(listener.LocalEndPoint!);
        return socket;
    }

    // Accepts one connection, answers each read with 16 bytes, and reports the bytes read and how
    // the stream ended: "FIN" (read returned 0) or the socket error. Closes at the end, or not (then
    // it lingers 5 s after the FIN before it returns, still open).
    private static async Task<(int Received, string Ending)> AnswerEveryReadAsync(Socket listener, bool closeAtEnd)
    {
        using var connection = await listener.AcceptAsync();
        var buffer = new byte[16 * 1024];
        var answer = new byte[16];
        var received = 0;
        string ending;
        try
        {
            while (true)
            {
                var read = await connection.ReceiveAsync(buffer);
                if (read == 0)
                {
                    ending = "FIN";
                    break;
                }

                received += read;
                await connection.SendAsync(answer);
            }
        }
        catch (SocketException ex)
        {
            ending = ex.SocketErrorCode.ToString();
        }

        if (!closeAtEnd)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
        }

        return (received, ending);
    }
}
