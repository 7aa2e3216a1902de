using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Relay.Protocol.Frames;

/// <summary>
/// A client identity: its 32-byte X25519 public key. A value type that compares and hashes
/// without allocating, so it can key the relay's dictionaries.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Identity : IEquatable<Identity>
{
    /// <summary>Bytes in an identity.</summary>
    public const int Size = 32;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    /// <summary>Reads an identity from exactly 32 bytes.</summary>
    /// <exception cref="ArgumentException">Not 32 bytes.</exception>
    public Identity(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"An identity is {Size} bytes; got {bytes.Length}.", nameof(bytes));
        }

        _a = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]);
    }

    /// <summary>Whether this is the all-zero value (no identity).</summary>
    public bool IsEmpty => (_a | _b | _c | _d) == 0;

    /// <summary>Parses base64 (standard or URL-safe); false for anything that is not 32 bytes.</summary>
    public static bool TryParse(string? base64, out Identity identity)
    {
        identity = default;
        if (string.IsNullOrWhiteSpace(base64))
        {
            return false;
        }

        var normalised = base64.Trim().Replace('-', '+').Replace('_', '/');
        normalised = normalised.PadRight(normalised.Length + ((4 - (normalised.Length % 4)) % 4), '=');
        Span<byte> bytes = stackalloc byte[Size + 3];
        if (!Convert.TryFromBase64String(normalised, bytes, out var written) || written != Size)
        {
            return false;
        }

        identity = new Identity(bytes[..Size]);
        return true;
    }

    /// <summary>Writes the 32 bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _a);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _d);
    }

    /// <summary>The 32 bytes as a new array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    /// <inheritdoc />
    public bool Equals(Identity other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Identity other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    /// <summary>Base64 of the public key (not a secret).</summary>
    public override string ToString() => Convert.ToBase64String(ToArray());

    /// <summary>Equality.</summary>
    public static bool operator ==(Identity left, Identity right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Identity left, Identity right) => !left.Equals(right);
}
