using CsCheck;
using Relay.Crypto.Aead;
using Relay.Crypto.E2e;

namespace Relay.Crypto.Tests.E2e;

/// <summary>
/// Properties of the E2E envelope and its reader: every sealed envelope's header reads back what
/// the session wrote and the envelope opens to its plaintext in order; any changed bit, cut or
/// addition is refused with an <see cref="E2eError"/> (never an exception) and leaves the session
/// able to open the real envelope.
/// </summary>
public sealed class E2eEnvelopePropertyTests
{
    private static readonly Gen<E2eSessionOptions> AnyOptions =
        Gen.Select(Gen.OneOf([.. AeadAlgorithm.All]), Gen.OneOf(0, 1, 16, 64)).Select((algorithm, padding) =>
            new E2eSessionOptions { Algorithm = algorithm, Backend = AeadBackend.Sodium, PaddingBlock = padding, MaxSkippedKeys = 16 });

    [Fact]
    public void Sealed_envelopes_read_back_their_header_and_open_in_order() =>
        Gen.Select(AnyOptions, Gen.Byte.Array[0, 200].Array[1, 4], Gen.Byte.Array[0, 200]).Sample((options, plaintexts, reply) =>
        {
            using var pair = new E2ePair(options);
            for (var counter = 0; counter < plaintexts.Length; counter++)
            {
                var envelope = pair.SealFromAlice(plaintexts[counter]);
                AssertHeader(envelope, pair.AliceSession, prekey: true, (uint)counter);
                Assert.Equal(E2eError.None, pair.BobOpens(envelope, out var opened));
                Assert.Equal(plaintexts[counter], opened);
            }

            var answer = E2ePair.Seal(pair.BobSession!, reply);
            AssertHeader(answer, pair.BobSession!, prekey: false, 0);
            Assert.Equal(E2eError.None, E2ePair.Open(pair.AliceSession, answer, out var answered));
            Assert.Equal(reply, answered);
            AssertHeader(pair.SealFromAlice(reply), pair.AliceSession, prekey: false, (uint)plaintexts.Length);
        }, iter: 200);

    [Fact]
    public void An_envelope_with_any_bit_changed_is_refused_and_the_real_one_still_opens() =>
        Gen.Select(AnyOptions, Gen.Byte.Array[0, 100], Gen.Int[0, int.MaxValue], Gen.Bool).Sample((options, plaintext, position, established) =>
        {
            using var pair = new E2ePair(options);
            if (established)
            {
                Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice("hello"u8), out _));
            }

            var envelope = pair.SealFromAlice(plaintext);
            var changed = (byte[])envelope.Clone();
            var bit = position % (changed.Length * 8);
            changed[bit / 8] ^= (byte)(1 << (bit % 8));
            AssertRefused(pair.BobOpens(changed, out _));
            Assert.Equal(E2eError.None, pair.BobOpens(envelope, out var opened));
            Assert.Equal(plaintext, opened);
        }, iter: 300);

    [Fact]
    public void A_truncated_or_extended_envelope_is_refused_and_the_real_one_still_opens() =>
        Gen.Select(AnyOptions, Gen.Byte.Array[0, 100], Gen.Int[0, int.MaxValue], Gen.Byte.Array[1, 40]).Sample((options, plaintext, cut, extra) =>
        {
            using var pair = new E2ePair(options);
            var envelope = pair.SealFromAlice(plaintext);
            AssertRefused(pair.BobOpens(envelope[..(cut % envelope.Length)], out _));
            AssertRefused(pair.BobOpens([.. envelope, .. extra], out _));
            Assert.Equal(E2eError.None, pair.BobOpens(envelope, out var opened));
            Assert.Equal(plaintext, opened);
        }, iter: 300);

    [Fact]
    public void Arbitrary_bytes_give_an_e2e_error_never_an_exception() =>
        Gen.Select(AnyOptions, Gen.Byte.Array[0, 200]).Sample((options, bytes) =>
        {
            Assert.True(Enum.IsDefined(E2eEnvelope.TryReadHeader(bytes, out _)));
            using var pair = new E2ePair(options);
            AssertRefused(pair.BobOpens(bytes, out _));
            Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice("hello"u8), out _));
            AssertRefused(pair.BobOpens(bytes, out _));
            AssertRefused(E2ePair.Open(pair.AliceSession, bytes, out _));
        }, iter: 300);

    [Fact]
    public void An_oversized_envelope_is_refused() =>
        Gen.Select(AnyOptions, Gen.Byte.Array[65_536, 70_000]).Sample((options, bytes) =>
        {
            using var pair = new E2ePair(options);
            Assert.Equal(E2eError.None, pair.BobOpens(pair.SealFromAlice("hello"u8), out _));
            bytes[0] = E2eEnvelope.Version;
            bytes[1] = E2eEnvelope.AlgorithmCode(options.Algorithm);
            bytes[2] = 0;
            pair.BobSession!.SessionId.CopyTo(bytes.AsSpan(3));
            AssertRefused(pair.BobOpens(bytes, out _));
        }, iter: 20);

    private static void AssertRefused(E2eError error)
    {
        Assert.True(Enum.IsDefined(error), $"not an E2eError: {(int)error}");
        Assert.NotEqual(E2eError.None, error);
    }

    private static void AssertHeader(byte[] envelope, E2eSession sender, bool prekey, uint counter)
    {
        Assert.Equal(E2eError.None, E2eEnvelope.TryReadHeader(envelope, out var header));
        Assert.Equal(sender.Algorithm, header.Algorithm);
        Assert.Equal(prekey, header.IsPrekey);
        Assert.Equal(counter, header.Counter);
        Assert.Equal(sender.SessionId.ToArray(), header.SessionId.ToArray());
        Assert.Equal(prekey ? E2eEnvelope.PrekeyHeaderSize : E2eEnvelope.BaseHeaderSize, header.Bytes.Length);
        Assert.Equal(envelope.AsSpan(0, header.Bytes.Length).ToArray(), header.Bytes.ToArray());
    }
}
