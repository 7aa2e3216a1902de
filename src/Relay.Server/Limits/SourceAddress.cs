using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Relay.Server.Limits;

/// <summary>
/// Where a connection comes from, as the per-source limits count it: the IPv4 address (or its
/// <c>/N</c> prefix) or the IPv6 prefix (<c>/64</c> by default: one subscriber's network, which a
/// single host can fill with addresses at will). IPv4-mapped IPv6 addresses count as IPv4.
/// </summary>
internal readonly record struct SourceAddress(UInt128 Prefix, byte Length, bool IsIPv4)
{
    /// <summary>A connection without an IP address (a Unix socket, a test transport): all such share one source.</summary>
    public static readonly SourceAddress Unknown = new(UInt128.Zero, 0, IsIPv4: false);

    /// <summary>The source of <paramref name="address"/>: its first <paramref name="ipv4PrefixLength"/> or <paramref name="ipv6PrefixLength"/> bits.</summary>
    public static SourceAddress Of(IPAddress? address, int ipv4PrefixLength, int ipv6PrefixLength)
    {
        if (address is null)
        {
            return Unknown;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            var v4 = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            return new SourceAddress(v4 & Mask32(ipv4PrefixLength), (byte)ipv4PrefixLength, IsIPv4: true);
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.TryWriteBytes(bytes, out _))
        {
            var v6 = BinaryPrimitives.ReadUInt128BigEndian(bytes);
            return new SourceAddress(v6 & Mask128(ipv6PrefixLength), (byte)ipv6PrefixLength, IsIPv4: false);
        }

        return Unknown;
    }

    /// <summary>The address, or <c>ADDRESS/LENGTH</c> for a prefix shorter than the whole address: what log lines show.</summary>
    public override string ToString()
    {
        if (this == Unknown)
        {
            return "unknown";
        }

        Span<byte> bytes = stackalloc byte[16];
        IPAddress address;
        if (IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)Prefix);
            address = new IPAddress(bytes[..4]);
            return Length == 32 ? address.ToString() : $"{address}/{Length}";
        }

        BinaryPrimitives.WriteUInt128BigEndian(bytes, Prefix);
        address = new IPAddress(bytes);
        return Length == 128 ? address.ToString() : $"{address}/{Length}";
    }

    private static uint Mask32(int length) => length <= 0 ? 0u : uint.MaxValue << (32 - Math.Min(length, 32));

    private static UInt128 Mask128(int length) => length <= 0 ? UInt128.Zero : UInt128.MaxValue << (128 - Math.Min(length, 128));
}
