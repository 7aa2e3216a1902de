using System.Net.Sockets;

namespace Perf.Load.Idle;

/// <summary>A TCP socket's state as the kernel keeps it (Linux <c>TCP_INFO</c>), read without touching its data.</summary>
public static class TcpState
{
    // Linux: IPPROTO_TCP / TCP_INFO; the first byte of struct tcp_info is tcpi_state.
    private const int TcpLevel = 6;
    private const int TcpInfo = 11;
    private const byte Established = 1;

    /// <summary>Whether the peer has closed or reset the connection (any state but established); off Linux, whether the socket reads as closed with nothing waiting.</summary>
    public static bool IsClosedByPeer(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        try
        {
            if (OperatingSystem.IsLinux())
            {
                Span<byte> info = stackalloc byte[256];
                return socket.GetRawSocketOption(TcpLevel, TcpInfo, info) < 1 || info[0] != Established;
            }

            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }
}
