using Perf.Testing.Allocations;
using System.Security.Cryptography;
using Relay.Crypto.Aead;
using Relay.Crypto.Aead.Auto;
using Xunit.Abstractions;

namespace Relay.Crypto.Tests.Aead;

/// <summary>
/// The hot path allocates nothing: Seal and TryOpen on every backend (auto included) and every
/// algorithm it supports, counted exactly by <see cref="Allocations"/> over rounds of many calls
/// after warm-up. A failed open is free on libsodium and on libcrypto called
/// directly, which answer with a return code; .NET's OpenSSL-backed types report a bad tag only by
/// throwing, so there a failed open costs the exception object — measured and asserted to be
/// non-zero, not hidden.
/// </summary>
public sealed class AllocationTests(ITestOutputHelper output)
{
    private const int MessageSize = 256;
    private const int MeasuredCalls = 1000;

    public static TheoryData<string, string> SupportedPairs() => AeadCipherTests.SupportedPairs();

    public static TheoryData<string, string> PairsOpeningWithoutExceptions() => PairsOpeningOn("sodium", "libcrypto");

    public static TheoryData<string, string> PairsOpeningOnOpenSsl() => PairsOpeningOn("openssl");

    [Theory]
    [MemberData(nameof(SupportedPairs))]
    public void Seal_allocates_nothing_per_call(string algorithmName, string backendName)
    {
        using var subject = new Subject(algorithmName, backendName);

        Allocations.AssertNone(subject.Seal);
    }

    [Theory]
    [MemberData(nameof(SupportedPairs))]
    public void A_successful_open_allocates_nothing_per_call(string algorithmName, string backendName)
    {
        using var subject = new Subject(algorithmName, backendName);

        Allocations.AssertNone(() => Assert.True(subject.Open()));
    }

    [Theory]
    [MemberData(nameof(PairsOpeningWithoutExceptions))]
    public void A_failed_open_on_libsodium_or_libcrypto_allocates_nothing_per_call(string algorithmName, string backendName)
    {
        using var subject = new Subject(algorithmName, backendName);
        subject.Tamper();

        Allocations.AssertNone(() => Assert.False(subject.Open()));
    }

    [Theory]
    [MemberData(nameof(PairsOpeningOnOpenSsl))]
    public void A_failed_open_on_openssl_allocates_the_exception_dotnet_throws_for_a_bad_tag(string algorithmName, string backendName)
    {
        using var subject = new Subject(algorithmName, backendName);
        subject.Tamper();

        var rounds = Allocations.PerRound(() => Assert.False(subject.Open()), MeasuredCalls);

        var bytes = rounds.Min();
        output.WriteLine($"{algorithmName}/{backendName}: a failed open allocates {bytes / MeasuredCalls} bytes per call ({bytes} over {MeasuredCalls} calls in the cleanest round)");
        Assert.True(bytes >= MeasuredCalls, $"expected the AuthenticationTagMismatchException to allocate on every call; measured per round of {MeasuredCalls} calls: {string.Join(", ", rounds)}");
    }

    private static TheoryData<string, string> PairsOpeningOn(params string[] concreteBackends)
    {
        var data = new TheoryData<string, string>();
        foreach (var row in SupportedPairs())
        {
            var (algorithmName, backendName) = ((string)row[0], (string)row[1]);
            using var subject = new Subject(algorithmName, backendName);
            if (Array.IndexOf(concreteBackends, subject.BackendThatOpens) >= 0)
            {
                data.Add(algorithmName, backendName);
            }
        }

        return data;
    }

    /// <summary>A keyed cipher with its buffers, all allocated before anything is measured.</summary>
    private sealed class Subject : IDisposable
    {
        private readonly AeadCipher _cipher;
        private readonly byte[] _nonce;
        private readonly byte[] _associatedData = RandomNumberGenerator.GetBytes(13);
        private readonly byte[] _plaintext = RandomNumberGenerator.GetBytes(MessageSize);
        private readonly byte[] _sealed = new byte[MessageSize + AeadAlgorithm.TagSizeBytes];
        private readonly byte[] _opened = new byte[MessageSize];

        public Subject(string algorithmName, string backendName)
        {
            var algorithm = AeadAlgorithm.Parse(algorithmName);
            _cipher = AeadBackend.Parse(backendName).Create(algorithm, RandomNumberGenerator.GetBytes(algorithm.KeySize));
            _nonce = RandomNumberGenerator.GetBytes(algorithm.NonceSize);
            Seal();
        }

        /// <summary>The concrete backend a call of this size reaches (auto delegates to one).</summary>
        public string BackendThatOpens => _cipher is AutoAeadCipher auto ? auto.BackendFor(MessageSize) : _cipher.BackendName;

        public void Seal() => _cipher.Seal(_nonce, _associatedData, _plaintext, _sealed);

        public bool Open() => _cipher.TryOpen(_nonce, _associatedData, _sealed, _opened);

        public void Tamper() => _sealed[0] ^= 0x01;

        public void Dispose() => _cipher.Dispose();
    }
}
