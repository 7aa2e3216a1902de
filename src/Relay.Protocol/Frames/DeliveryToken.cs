using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Relay.Protocol.Frames;

/// <summary>
/// The 16-byte delivery token a SEALED_SEND carries (derived from a secret the recipient shares
/// with its contacts; see <c>Relay.Crypto.Sealed.DeliveryTokens</c>). A value type, so parsing a
/// frame allocates nothing.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct DeliveryToken : IEquatable<DeliveryToken>
{
    /// <summary>Bytes in a token.</summary>
    public const int Size = 16;

    private readonly ulong _a;
    private readonly ulong _b;

    /// <summary>Reads a token from exactly 16 bytes.</summary>
    /// <exception cref="ArgumentException">Not 16 bytes.</exception>
    public DeliveryToken(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A delivery token is {Size} bytes; got {bytes.Length}.", nameof(bytes));
        }

        _a = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
    }

    /// <summary>Writes the 16 bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _a);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _b);
    }

    /// <inheritdoc />
    public bool Equals(DeliveryToken other) => _a == other._a && _b == other._b;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DeliveryToken other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_a, _b);

    /// <summary>Equality.</summary>
    public static bool operator ==(DeliveryToken left, DeliveryToken right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(DeliveryToken left, DeliveryToken right) => !left.Equals(right);

    /// <summary>Not the token's value: a token is a credential and stays out of logs.</summary>
    public override string ToString() => "DeliveryToken(***)";
}
