using System.Text.Json;
using Relay.Crypto.Aead;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Noise;

namespace Perf.Vectors.Noise;

/// <summary>
/// Replays one cacophony-format Noise vector on one backend: both sides are built from the
/// vector's keys and prologues, every handshake message each side writes must equal the
/// vector's ciphertext and every payload the other reads must equal its payload, the handshake
/// hash must match where given, and so must every transport message after the split.
/// Messages alternate initiator, responder, initiator, ...
/// </summary>
public static class NoiseVectorReplay
{
    /// <summary>Whether this code can replay <paramref name="vector"/> (a supported protocol, no PSKs).</summary>
    public static bool IsSupported(JsonElement vector, out NoiseProtocol? protocol)
    {
        protocol = null;
        return vector.TryGetProperty("protocol_name", out var name)
            && name.ValueKind == JsonValueKind.String
            && !vector.TryGetProperty("init_psks", out _)
            && !vector.TryGetProperty("resp_psks", out _)
            && NoiseProtocol.TryParse(name.GetString(), out protocol);
    }

    /// <summary>Replays the vector; returns <c>null</c> when every byte matched, else what differed.</summary>
    /// <exception cref="FormatException">A field is missing or not hex.</exception>
    public static string? Replay(JsonElement vector, NoiseProtocol protocol, AeadBackend backend)
    {
        using var initiatorStatic = OptionalKey(vector, "init_static");
        using var initiatorEphemeral = OptionalKey(vector, "init_ephemeral");
        using var responderStatic = OptionalKey(vector, "resp_static");
        using var responderEphemeral = OptionalKey(vector, "resp_ephemeral");
        using var initiator = new HandshakeState(protocol, true, Hex(vector, "init_prologue"), initiatorStatic, OptionalHex(vector, "init_remote_static"), backend, initiatorEphemeral);
        using var responder = new HandshakeState(protocol, false, Hex(vector, "resp_prologue"), responderStatic, OptionalHex(vector, "resp_remote_static"), backend, responderEphemeral);
        NoiseTransport? initiatorTransport = null;
        NoiseTransport? responderTransport = null;
        try
        {
            var index = 0;
            foreach (var message in Messages(vector))
            {
                var payload = Hex(message, "payload");
                var expected = Hex(message, "ciphertext");
                var fromInitiator = index % 2 == 0;
                var written = new byte[expected.Length + 256];
                var read = new byte[expected.Length + 256];
                int writtenLength;
                int readLength;
                if (!initiator.IsComplete)
                {
                    var (writer, reader) = fromInitiator ? (initiator, responder) : (responder, initiator);
                    writtenLength = writer.WriteMessage(payload, written);
                    readLength = reader.ReadMessage(expected, read);
                    if (initiator.IsComplete != responder.IsComplete)
                    {
                        return $"message {index}: one side completed the handshake and the other did not";
                    }

                    if (initiator.IsComplete)
                    {
                        if (vector.TryGetProperty("handshake_hash", out _) && !Hex(vector, "handshake_hash").AsSpan().SequenceEqual(initiator.HandshakeHash))
                        {
                            return "handshake hash differs";
                        }

                        if (!initiator.HandshakeHash.SequenceEqual(responder.HandshakeHash))
                        {
                            return "the two sides' handshake hashes differ";
                        }

                        initiatorTransport = initiator.Split();
                        responderTransport = responder.Split();
                    }
                }
                else
                {
                    var (writer, reader) = fromInitiator ? (initiatorTransport!, responderTransport!) : (responderTransport!, initiatorTransport!);
                    writtenLength = writer.Encrypt(payload, written);
                    readLength = reader.Decrypt(expected, read);
                }

                if (!written.AsSpan(0, writtenLength).SequenceEqual(expected))
                {
                    return $"message {index}: the written ciphertext differs";
                }

                if (!read.AsSpan(0, readLength).SequenceEqual(payload))
                {
                    return $"message {index}: the read payload differs";
                }

                index++;
            }

            return index == 0 ? "the vector has no messages" : null;
        }
        catch (NoiseException ex)
        {
            return $"{ex.Error}: {ex.Message}";
        }
        finally
        {
            initiatorTransport?.Dispose();
            responderTransport?.Dispose();
        }
    }

    private static JsonElement.ArrayEnumerator Messages(JsonElement vector) =>
        vector.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array
            ? messages.EnumerateArray()
            : throw new FormatException("a Noise vector has no messages array");

    private static X25519KeyPair? OptionalKey(JsonElement vector, string field)
    {
        if (!vector.TryGetProperty(field, out _))
        {
            return null;
        }

        var key = Hex(vector, field);
        return key.Length == X25519KeyPair.KeySize
            ? X25519KeyPair.Import(key)
            : throw new FormatException($"field '{field}' is {key.Length} bytes, not a {X25519KeyPair.KeySize}-byte X25519 private key");
    }

    private static byte[] OptionalHex(JsonElement vector, string field) =>
        vector.TryGetProperty(field, out _) ? Hex(vector, field) : [];

    private static byte[] Hex(JsonElement element, string field)
    {
        if (!element.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"field '{field}' is missing or not a string");
        }

        try
        {
            return Convert.FromHexString(value.GetString()!);
        }
        catch (FormatException)
        {
            throw new FormatException($"field '{field}' is not hex");
        }
    }
}
