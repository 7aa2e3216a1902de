using Perf.Testing.Allocations;
using System.Text;
using Perf.Testing.Crypto;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;
using Relay.Crypto.KeyAgreement;
using Relay.Crypto.Tests.Aead;

namespace Relay.Crypto.Tests.E2e;

public sealed class E2eSessionTests
{
    private static readonly E2eSessionOptions Default = new();

    public static TheoryData<string, string> ConcretePairs()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in AeadCipherTests.SupportedPairs())
        {
            if ((string)row[1] != "auto")
            {
                data.Add((string)row[0], (string)row[1]);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ConcretePairs))]
    public void Messages_round_trip_in_both_directions(string algorithm, string backend)
    {
        using var pair = new E2ePair(E2ePair.Options_(algorithm, backend));
        for (var i = 0; i < 3; i++)
        {
            var text = Encoding.UTF8.GetBytes($"hello bob {i}");
            Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice(text), out var opened));
            Assert.Equal(text, opened);
        }

        var reply = Encoding.UTF8.GetBytes("hello alice");
        Assert.Equal(E2eError.None, E2ePair.Open(pair.AliceSession, E2ePair.Seal(pair.BobSession!, reply), out var got));
        Assert.Equal(reply, got);
        Assert.Equal(pair.AliceSession.SessionId.ToArray(), pair.BobSession!.SessionId.ToArray());
        Assert.Equal(pair.Alice.PublicKey.ToArray(), pair.BobSession.RemoteIdentity.ToArray());
    }

    [Fact]
    public void The_initiator_sends_its_keys_until_the_recipient_has_answered()
    {
        using var pair = new E2ePair(Default);
        var first = pair.SealFromAlice("a"u8);
        var second = pair.SealFromAlice("b"u8);
        Assert.Equal(E2eEnvelope.PrekeyHeaderSize + 1 + 16, first.Length);
        Assert.Equal(E2eEnvelope.PrekeyFlag, second[2] & E2eEnvelope.PrekeyFlag);
        Assert.Equal(E2eError.None, pair.BobOpens(first, out _));
        Assert.Equal(E2eError.None, pair.BobOpens(second, out _));
        Assert.Equal(E2eError.None, E2ePair.Open(pair.AliceSession, E2ePair.Seal(pair.BobSession!, "ok"u8), out _));

        var afterReply = pair.SealFromAlice("c"u8);

        Assert.Equal(E2eEnvelope.BaseHeaderSize + 1 + 16, afterReply.Length);
        Assert.Equal(E2eError.None, pair.BobOpens(afterReply, out var opened));
        Assert.Equal("c"u8.ToArray(), opened);
    }

    [Fact]
    public void Out_of_order_messages_within_the_window_open_and_each_only_once()
    {
        using var pair = new E2ePair(Default);
        var envelopes = new byte[6][];
        for (var i = 0; i < envelopes.Length; i++)
        {
            envelopes[i] = pair.SealFromAlice([(byte)i]);
        }

        foreach (var i in new[] { 0, 4, 2, 5, 1, 3 })
        {
            Assert.Equal(E2eError.None, pair.BobOpens(envelopes[i], out var opened));
            Assert.Equal([(byte)i], opened);
        }

        foreach (var envelope in envelopes)
        {
            Assert.Equal(E2eError.Replay, pair.BobOpens(envelope, out _));
        }
    }

    [Fact]
    public void A_duplicate_of_the_latest_message_is_a_replay()
    {
        using var pair = new E2ePair(Default);
        var envelope = pair.SealFromAlice("once"u8);
        Assert.Equal(E2eError.None, pair.BobOpens(envelope, out _));
        Assert.Equal(E2eError.Replay, pair.BobOpens(envelope, out _));
    }

    [Fact]
    public void A_counter_past_the_window_is_refused_and_the_session_goes_on()
    {
        using var pair = new E2ePair(Default with { MaxSkippedKeys = 5 });
        Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice("0"u8), out _));
        var skipped = new List<byte[]>();
        for (var i = 0; i < 6; i++)
        {
            skipped.Add(pair.SealFromAlice("skip"u8));
        }

        var tooFar = pair.SealFromAlice("far"u8);
        Assert.Equal(E2eError.TooFarAhead, pair.BobOpens(tooFar, out _));

        Assert.Equal(E2eError.None, pair.BobOpens(skipped[0], out _));
        Assert.Equal(E2eError.None, pair.BobOpens(tooFar, out var opened));
        Assert.Equal("far"u8.ToArray(), opened);
    }

    [Fact]
    public void Skipped_keys_beyond_the_limit_are_evicted_oldest_first()
    {
        using var pair = new E2ePair(Default with { MaxSkippedKeys = 3 });
        Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice("0"u8), out _));
        var early = new[] { pair.SealFromAlice("1"u8), pair.SealFromAlice("2"u8) };
        Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice("3"u8), out _)); // keeps keys 1, 2
        var more = new[] { pair.SealFromAlice("4"u8), pair.SealFromAlice("5"u8) };
        Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice("6"u8), out _)); // keeps 4, 5; evicts 1

        Assert.Equal(E2eError.Replay, pair.BobOpens(early[0], out _));
        Assert.Equal(E2eError.None, pair.BobOpens(early[1], out _));
        Assert.Equal(E2eError.None, pair.BobOpens(more[0], out _));
        Assert.Equal(E2eError.None, pair.BobOpens(more[1], out _));
    }

    [Fact]
    public void A_flipped_bit_at_any_position_is_refused_and_the_next_message_still_opens()
    {
        using var pair = new E2ePair(Default);
        Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice("setup"u8), out _));
        var envelope = pair.SealFromAlice("the body of a message"u8);
        for (var position = 0; position < envelope.Length; position++)
        {
            var tampered = (byte[])envelope.Clone();
            tampered[position] ^= 0x04;
            var error = pair.BobOpens(tampered, out _);
            Assert.NotEqual(E2eError.None, error);
        }

        Assert.Equal(E2eError.None, pair.BobOpens(envelope, out var opened));
        Assert.Equal("the body of a message"u8.ToArray(), opened);
    }

    [Fact]
    public void Each_header_field_has_its_own_error()
    {
        using var pair = new E2ePair(Default);
        Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice("setup"u8), out _));
        var envelope = pair.SealFromAlice("x"u8);

        Assert.Equal(E2eError.UnsupportedVersion, Tamper(pair, envelope, 0, 2));
        Assert.Equal(E2eError.UnknownAlgorithm, Tamper(pair, envelope, 1, 9));
        Assert.Equal(E2eError.UnknownAlgorithm, Tamper(pair, envelope, 1, 1)); // chacha byte on an aes-gcm session
        Assert.Equal(E2eError.MalformedHeader, Tamper(pair, envelope, 2, 0x81));
        // Session id and tag bytes are random: flip them, since setting a fixed value is a no-op one time in 256.
        Assert.Equal(E2eError.UnknownSession, Tamper(pair, envelope, 5, (byte)(envelope[5] ^ 0xFF)));
        Assert.Equal(E2eError.AuthenticationFailed, Tamper(pair, envelope, envelope.Length - 1, (byte)(envelope[^1] ^ 0x01)));
    }

    [Fact]
    public void Truncated_envelopes_of_every_length_are_refused()
    {
        using var pair = new E2ePair(Default);
        var envelope = pair.SealFromAlice("some text"u8);
        Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice("setup"u8), out _));
        for (var length = 0; length < envelope.Length; length++)
        {
            Assert.NotEqual(E2eError.None, E2ePair.Open(pair.BobSession!, envelope[..length], out _));
        }

        Assert.Equal(E2eError.None, E2ePair.Open(pair.BobSession!, envelope, out _));
    }

    [Fact]
    public void The_chain_step_is_hmac_sha256_of_0x01_and_0x02_as_specified()
    {
        var chain = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        var expectedMessageKey = System.Security.Cryptography.HMACSHA256.HashData(chain, new byte[] { 0x01 });
        var expectedNextChain = System.Security.Cryptography.HMACSHA256.HashData(chain, new byte[] { 0x02 });
        var messageKey = new byte[32];

        SymmetricChain.Step(chain, messageKey);

        Assert.Equal(expectedMessageKey, messageKey);
        Assert.Equal(expectedNextChain, chain);
    }

    [Fact]
    public void An_envelope_for_someone_else_is_refused()
    {
        using var pair = new E2ePair(Default);
        using var mallory = X25519KeyPair.Generate();
        var envelope = pair.SealFromAlice("for bob"u8);

        Assert.Equal(E2eError.UnknownSession, E2eSession.TryAccept(mallory, envelope, Default, out var session));
        Assert.Null(session);
    }

    [Fact]
    public void Padding_hides_the_exact_length_and_is_removed_on_open()
    {
        using var pair = new E2ePair(Default with { PaddingBlock = 64 });
        var a = pair.SealFromAlice(new byte[3]);
        var b = pair.SealFromAlice(new byte[40]);
        Assert.Equal(a.Length, b.Length);
        Assert.Equal(E2eError.None, pair.BobOpens(a, out var openedA));
        Assert.Equal(E2eError.None, pair.BobOpens(b, out var openedB));
        Assert.Equal(3, openedA.Length);
        Assert.Equal(40, openedB.Length);
    }

    [Fact]
    public void A_padded_flag_without_padding_is_refused_and_leaves_the_session_unchanged()
    {
        using var pair = new E2ePair(Default);
        Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice("hello"u8), out _));
        var alice = pair.AliceSession.ExportState();
        var bobBefore = pair.BobSession!.ExportState();

        // Alice's next message, sealed by hand with the padded flag over a body that has no 0x80 marker.
        var envelope = HandSealedEnvelope.PaddedFlagWithoutPadding(alice, [1, 2, 3, 0, 0]);
        Assert.Equal(E2eError.BadPadding, pair.BobOpens(envelope, out _));
        Assert.Equal(bobBefore, pair.BobSession.ExportState());
        Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice("next"u8), out var next));
        Assert.Equal("next"u8.ToArray(), next);
    }

    [Fact]
    public void Exported_state_continues_the_conversation_after_import()
    {
        using var pair = new E2ePair(Default);
        Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice("1"u8), out _));
        var json = System.Text.Json.JsonSerializer.Serialize(pair.AliceSession.ExportState());
        var state = System.Text.Json.JsonSerializer.Deserialize<E2eSessionState>(json)!;

        using var restored = E2eSession.ImportState(state, Default);
        Assert.Equal(E2eError.None, pair.BobOpens(E2ePair.Seal(restored, "2"u8), out var opened));

        Assert.Equal("2"u8.ToArray(), opened);
        Assert.Contains("send_chain_key", json, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => E2eSession.ImportState(state with { SendChainKey = "not base64!" }, Default));
    }

    [Fact]
    public void Sodium_seal_and_open_allocate_nothing_per_message()
    {
        using var pair = new E2ePair(Default);
        var plaintext = new byte[256];
        var envelope = new byte[pair.AliceSession.GetEnvelopeSize(plaintext.Length)];
        pair.AliceSession.Seal(plaintext, envelope);
        Assert.Equal(E2eError.None, pair.BobOpens(envelope, out _));
        var opened = new byte[envelope.Length];
        var bob = pair.BobSession!;
        var failures = 0;
        Allocations.AssertNone(() =>
        {
            pair.AliceSession.Seal(plaintext, envelope);
            failures += bob.TryOpen(envelope, opened, out _) == E2eError.None ? 0 : 1;
        }, warmUpCalls: 0);
        Assert.Equal(0, failures);
    }

    private static E2eError Tamper(E2ePair pair, byte[] envelope, int index, byte value)
    {
        var copy = (byte[])envelope.Clone();
        copy[index] = value;
        return E2ePair.Open(pair.BobSession!, copy, out _);
    }
}
