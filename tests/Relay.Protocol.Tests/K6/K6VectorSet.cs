using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Protocol.Frames;

namespace Relay.Protocol.Tests.K6;

/// <summary>
/// Builds <c>loadtest/k6/test/vectors.json</c>: frames and E2E envelopes produced by the C# code
/// from fixed keys, which the k6 library's Node tests must reproduce byte for byte. Every
/// expected error is the one the C# code itself reports, read back here, never typed in.
/// </summary>
internal static class K6VectorSet
{
    // Fixed private keys so the file is reproducible; they protect nothing.
    private static readonly byte[] AlicePrivate = Fill(0x11);
    private static readonly byte[] BobPrivate = Fill(0x22);
    private static readonly byte[] EphemeralPrivate = Fill(0x33);

    public static string Build()
    {
        var root = new JsonObject
        {
            ["generated_by"] = "tests/Relay.Protocol.Tests/K6/K6VectorFileTests.cs from the C# frame codec and E2E session; regenerate with PERF_UPDATE_K6_VECTORS=1 dotnet test tests/Relay.Protocol.Tests",
            ["frames"] = Frames(),
            ["malformed_frames"] = MalformedFrames(),
        };
        var (envelopes, openErrors) = Envelopes();
        root["envelopes"] = envelopes;
        root["open_errors"] = openErrors;
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static JsonArray Frames()
    {
        var sender = new Identity(Fill(0xA1));
        var envelope = Enumerable.Range(0, 40).Select(i => (byte)i).ToArray();
        return
        [
            Frame("send", w => FrameCodec.WriteSend(w, 0x0102030405060708, sender, envelope),
                new JsonObject { ["type"] = "send", ["client_message_id"] = Id(0x0102030405060708), ["recipient"] = Hex(Fill(0xA1)), ["envelope"] = Hex(envelope) }),
            Frame("send-empty-envelope", w => FrameCodec.WriteSend(w, 1, sender, []),
                new JsonObject { ["type"] = "send", ["client_message_id"] = Id(1), ["recipient"] = Hex(Fill(0xA1)), ["envelope"] = "" }),
            Frame("deliver", w => FrameCodec.WriteDeliver(w, ulong.MaxValue, sender, false, envelope),
                new JsonObject { ["type"] = "deliver", ["relay_message_id"] = Id(ulong.MaxValue), ["sealed_sender"] = false, ["sender"] = Hex(Fill(0xA1)), ["envelope"] = Hex(envelope) }),
            Frame("deliver-sealed", w => FrameCodec.WriteDeliver(w, 99, sender, true, envelope),
                new JsonObject { ["type"] = "deliver", ["relay_message_id"] = Id(99), ["sealed_sender"] = true, ["envelope"] = Hex(envelope) }),
            Frame("ack", w => FrameCodec.WriteAck(w, 0x8000000000000001),
                new JsonObject { ["type"] = "ack", ["relay_message_id"] = Id(0x8000000000000001) }),
            Frame("accepted", w => FrameCodec.WriteAccepted(w, 5, 6),
                new JsonObject { ["type"] = "accepted", ["client_message_id"] = Id(5), ["relay_message_id"] = Id(6) }),
            Frame("rejected", w => FrameCodec.WriteRejected(w, 7, RejectReason.MailboxFull),
                new JsonObject { ["type"] = "rejected", ["client_message_id"] = Id(7), ["reason"] = (int)RejectReason.MailboxFull }),
            Frame("ping", w => FrameCodec.WritePing(w, 123456789),
                new JsonObject { ["type"] = "ping", ["value"] = Id(123456789) }),
            Frame("pong", w => FrameCodec.WritePong(w, 123456789),
                new JsonObject { ["type"] = "pong", ["value"] = Id(123456789) }),
            Frame("error", w => FrameCodec.WriteError(w, FrameError.EnvelopeTooLarge, "envelope over 65000 bytes: é"),
                new JsonObject { ["type"] = "error", ["code"] = (int)FrameError.EnvelopeTooLarge, ["reason"] = "envelope over 65000 bytes: é" }),
        ];
    }

    private static JsonObject Frame(string name, Action<ArrayBufferWriter<byte>> write, JsonObject fields)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        // The vector is only as good as the codec's agreement with itself: read it back first.
        if (FrameCodec.TryRead(new ReadOnlySequence<byte>(output.WrittenMemory), FrameLimits.Default, out _) != FrameError.None)
        {
            throw new InvalidOperationException($"frame vector {name} does not read back");
        }

        return new JsonObject { ["name"] = name, ["frame"] = fields, ["bytes"] = Hex(output.WrittenSpan) };
    }

    private static JsonArray MalformedFrames()
    {
        var send = Write(w => FrameCodec.WriteSend(w, 1, new Identity(Fill(0xA1)), [1, 2, 3]));
        var deliver = Write(w => FrameCodec.WriteDeliver(w, 1, new Identity(Fill(0xA1)), false, [1, 2, 3]));
        var ack = Write(w => FrameCodec.WriteAck(w, 1));
        var oversized = send[..41].Concat(new byte[] { 0x00, 0x00, 0xFD, 0xE9 }).ToArray(); // envelope length 65001
        var badFlags = (byte[])deliver.Clone();
        badFlags[9] = 0x02; // only bit 0 (sealed sender) is defined
        return
        [
            Malformed("empty", []),
            Malformed("send-truncated-in-envelope", send[..^1]),
            Malformed("send-truncated-in-recipient", send[..20]),
            Malformed("ack-with-trailing-byte", [.. ack, 0x00]),
            Malformed("unknown-type", [0x7F, 0, 0, 0, 0, 0, 0, 0, 1]),
            Malformed("send-envelope-over-limit", oversized),
            Malformed("deliver-unknown-flag", badFlags),
        ];
    }

    private static JsonObject Malformed(string name, byte[] bytes)
    {
        var error = FrameCodec.TryRead(new ReadOnlySequence<byte>(bytes), FrameLimits.Default, out _);
        if (error == FrameError.None)
        {
            throw new InvalidOperationException($"malformed frame vector {name} reads as valid");
        }

        return new JsonObject { ["name"] = name, ["bytes"] = Hex(bytes), ["error"] = SnakeCase(error.ToString()) };
    }

    private static (JsonArray Envelopes, JsonArray OpenErrors) Envelopes()
    {
        var envelopes = new JsonArray();
        var openErrors = new JsonArray();
        var aes = new E2eSessionOptions { Algorithm = AeadAlgorithm.Aes256Gcm };
        using var alice = X25519KeyPair.Import(AlicePrivate);
        using var bob = X25519KeyPair.Import(BobPrivate);
        using var ephemeral = X25519KeyPair.Import(EphemeralPrivate);

        // 1. The initiator's first message: prekey flag, and the recipient's session as TryAccept creates it.
        using var aliceSession = E2eSession.Initiate(alice, ephemeral, bob.PublicKey, aes);
        var aliceBefore = aliceSession.ExportState();
        var firstPlain = Encoding.UTF8.GetBytes("hello relay");
        var first = Seal(aliceSession, firstPlain);
        Check(E2eSession.TryAccept(bob, first, aes, out var accepted));
        using var bobSession = accepted!;
        var bobBefore = bobSession.ExportState();
        Open(bobSession, first);
        envelopes.Add(EnvelopeVector("aes-initiator-first-prekey", aliceBefore, firstPlain, first, aliceSession.ExportState(), bobBefore, bobSession.ExportState()));

        // 2. The recipient's reply: no prekey fields; opening it ends the initiator's prekey phase.
        var replyPlain = Encoding.UTF8.GetBytes("hello back");
        var aliceBeforeReply = aliceSession.ExportState();
        var bobBeforeReply = bobSession.ExportState();
        var reply = Seal(bobSession, replyPlain);
        Open(aliceSession, reply);
        envelopes.Add(EnvelopeVector("aes-recipient-reply", bobBeforeReply, replyPlain, reply, bobSession.ExportState(), aliceBeforeReply, aliceSession.ExportState()));

        // 3. Steady state, a load-sized message after a few others: what the k6 script sends.
        for (var i = 0; i < 4; i++)
        {
            Open(bobSession, Seal(aliceSession, [(byte)i]));
        }

        var steadyPlain = Enumerable.Range(0, 256).Select(i => (byte)(i * 7)).ToArray();
        var aliceBeforeSteady = aliceSession.ExportState();
        var bobBeforeSteady = bobSession.ExportState();
        var steady = Seal(aliceSession, steadyPlain);
        Open(bobSession, steady);
        var bobAfterSteady = bobSession.ExportState();
        envelopes.Add(EnvelopeVector("aes-steady-256", aliceBeforeSteady, steadyPlain, steady, aliceSession.ExportState(), bobBeforeSteady, bobAfterSteady));

        // 4. Padded (sealed with a 64-byte padding block): the k6 side must strip the padding on open.
        using (var padder = E2eSession.ImportState(aliceSession.ExportState(), aes with { PaddingBlock = 64 }))
        {
            var paddedPlain = Encoding.UTF8.GetBytes("padded to a multiple of 64");
            var before = padder.ExportState();
            var padded = Seal(padder, paddedPlain);
            using var opener = E2eSession.ImportState(bobAfterSteady, aes);
            Open(opener, padded);
            envelopes.Add(EnvelopeVector("aes-padded-64", before, paddedPlain, padded, padder.ExportState(), bobAfterSteady, opener.ExportState()));
        }

        // 4b. Padmé and power-of-two padding: same wire form, other lengths; the k6 side opens them unchanged.
        foreach (var (name, scheme) in new[] { ("aes-padded-padme", PaddingScheme.Padme), ("aes-padded-pow2", PaddingScheme.PowerOfTwo) })
        {
            using var padder = E2eSession.ImportState(aliceSession.ExportState(), aes with { Padding = scheme });
            var paddedPlain = Enumerable.Range(0, 129).Select(i => (byte)(i * 3)).ToArray();
            var before = padder.ExportState();
            var padded = Seal(padder, paddedPlain);
            using var opener = E2eSession.ImportState(bobAfterSteady, aes);
            Open(opener, padded);
            envelopes.Add(EnvelopeVector(name, before, paddedPlain, padded, padder.ExportState(), bobAfterSteady, opener.ExportState()));
        }

        // 5. ChaCha20-Poly1305, which WebCrypto lacks: the k6 side must refuse it by name.
        var chacha = new E2eSessionOptions { Algorithm = AeadAlgorithm.ChaCha20Poly1305 };
        using (var chachaAlice = E2eSession.Initiate(alice, ephemeral, bob.PublicKey, chacha))
        using (var chachaBob = E2eSessionSetup.Establish(chachaAlice, bob, chacha))
        {
            var plain = Encoding.UTF8.GetBytes("chacha");
            var before = chachaAlice.ExportState();
            var bobBeforeChacha = chachaBob.ExportState();
            var sealedChacha = Seal(chachaAlice, plain);
            Open(chachaBob, sealedChacha);
            envelopes.Add(EnvelopeVector("chacha-steady", before, plain, sealedChacha, chachaAlice.ExportState(), bobBeforeChacha, chachaBob.ExportState()));
        }

        // Refusals, each against the state before the steady message (or after it, for the replay).
        openErrors.Add(OpenError("tampered-tag", bobBeforeSteady, Flip(steady, steady.Length - 1), aes));
        openErrors.Add(OpenError("tampered-body", bobBeforeSteady, Flip(steady, 40), aes));
        openErrors.Add(OpenError("tampered-counter", bobBeforeSteady, Flip(steady, 22), aes));
        openErrors.Add(OpenError("unknown-session", bobBeforeSteady, Flip(steady, 5), aes));
        openErrors.Add(OpenError("replay", bobAfterSteady, steady, aes));
        openErrors.Add(OpenError("truncated", bobBeforeSteady, steady[..30], aes));
        openErrors.Add(OpenError("unsupported-version", bobBeforeSteady, Set(steady, 0, 2), aes));
        openErrors.Add(OpenError("wrong-algorithm", bobBeforeSteady, Set(steady, 1, 1), aes));
        openErrors.Add(OpenError("unknown-flag", bobBeforeSteady, Set(steady, 2, 0x04), aes));
        using (var jumper = E2eSession.ImportState(aliceSession.ExportState() with { SendCounter = bobAfterSteady.ReceiveNext + 1001 }, aes))
        {
            openErrors.Add(OpenError("too-far-ahead", bobAfterSteady, Seal(jumper, [1, 2, 3]), aes));
        }

        openErrors.Add(OpenError("padded-flag-without-padding", bobAfterSteady, Perf.Testing.Crypto.HandSealedEnvelope.PaddedFlagWithoutPadding(aliceSession.ExportState(), [1, 2, 3, 0, 0]), aes));

        return (envelopes, openErrors);
    }

    private static JsonObject EnvelopeVector(string name, E2eSessionState senderBefore, byte[] plaintext, byte[] envelope, E2eSessionState senderAfter, E2eSessionState recipientBefore, E2eSessionState recipientAfter) => new()
    {
        ["name"] = name,
        ["sender_state"] = State(senderBefore),
        ["plaintext"] = Hex(plaintext),
        ["envelope"] = Hex(envelope),
        ["sender_state_after"] = State(senderAfter),
        ["recipient_state"] = State(recipientBefore),
        ["recipient_state_after"] = State(recipientAfter),
    };

    private static JsonObject OpenError(string name, E2eSessionState recipient, byte[] envelope, E2eSessionOptions options)
    {
        using var session = E2eSession.ImportState(recipient, options);
        var error = session.TryOpen(envelope, new byte[Math.Max(envelope.Length, 1)], out _);
        if (error == E2eError.None)
        {
            throw new InvalidOperationException($"open-error vector {name} opens");
        }

        if (!session.ExportState().Equals(recipient))
        {
            throw new InvalidOperationException($"open-error vector {name} changed the session");
        }

        return new JsonObject { ["name"] = name, ["recipient_state"] = State(recipient), ["envelope"] = Hex(envelope), ["error"] = error.ToString() };
    }

    private static byte[] Seal(E2eSession session, byte[] plaintext)
    {
        var envelope = new byte[session.GetEnvelopeSize(plaintext.Length)];
        return envelope[..session.Seal(plaintext, envelope)];
    }

    private static void Open(E2eSession session, byte[] envelope) => Check(session.TryOpen(envelope, new byte[envelope.Length], out _));

    private static void Check(E2eError error)
    {
        if (error != E2eError.None)
        {
            throw new InvalidOperationException($"vector setup failed: {error}");
        }
    }

    private static JsonNode State(E2eSessionState state) => JsonSerializer.SerializeToNode(state)!;

    private static byte[] Write(Action<ArrayBufferWriter<byte>> write)
    {
        var output = new ArrayBufferWriter<byte>();
        write(output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Flip(byte[] bytes, int index) => Set(bytes, index, (byte)(bytes[index] ^ 0x01));

    private static byte[] Set(byte[] bytes, int index, byte value)
    {
        var copy = (byte[])bytes.Clone();
        copy[index] = value;
        return copy;
    }

    private static byte[] Fill(byte value) => Enumerable.Repeat(value, 32).ToArray();

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    // 64-bit ids as decimal strings: JSON numbers lose precision above 2^53 in JavaScript.
    private static string Id(ulong value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string SnakeCase(string pascal)
    {
        var text = new StringBuilder();
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && text.Length > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(c));
        }

        return text.ToString();
    }
}
