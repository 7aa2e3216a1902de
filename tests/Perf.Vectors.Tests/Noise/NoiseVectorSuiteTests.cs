using System.Text.Json;
using Perf.Vectors;
using Perf.Vectors.Noise;
using Relay.Crypto.Aead;
using Relay.Crypto.Noise;
using Xunit.Abstractions;

namespace Perf.Vectors.Tests.Noise;

public sealed class NoiseVectorSuiteTests(ITestOutputHelper output)
{
    private static string? Cacophony()
    {
        var dir = VectorDirectory.Find(out _);
        var path = dir is null ? null : Path.Combine(dir, "noise", "cacophony.txt");
        return path is not null && File.Exists(path) ? path : null;
    }

    [Fact]
    public void Every_supported_vector_matches_byte_for_byte_on_every_backend()
    {
        var path = Cacophony();
        Assert.True(path is not null, $"Noise vectors not found at {VectorDirectory.Find(out var searched) ?? searched}/noise/cacophony.txt");
        using var document = JsonDocument.Parse(File.ReadAllText(path!));

        var rows = new NoiseVectorSuite().Run("cacophony.txt", document.RootElement);

        var ran = 0;
        foreach (var row in rows)
        {
            output.WriteLine($"{row.Algorithm} {row.Backend}: {row.Passed} passed, {row.Failed} failed, {row.Skipped} skipped");
            Assert.Equal(0, row.Failed);
            ran += row.Passed;
        }

        // XX, IK and NN with both ciphers, on every concrete backend that has both (sodium, openssl, libcrypto here).
        var backends = AeadBackend.Concrete.Count(b => b.IsSupported(AeadAlgorithm.Aes256Gcm, out _) && b.IsSupported(AeadAlgorithm.ChaCha20Poly1305, out _));
        Assert.Equal(6 * backends, ran);
        Assert.Contains(rows, r => r.Algorithm == "Noise_XX_25519_AESGCM_SHA256" && r.Backend == "openssl" && r.Passed == 1);
        if (AeadBackend.LibCrypto.IsSupported(AeadAlgorithm.ChaCha20Poly1305, out _))
        {
            Assert.Contains(rows, r => r.Algorithm == "Noise_IK_25519_ChaChaPoly_SHA256" && r.Backend == "libcrypto" && r.Passed == 1);
        }
        Assert.Contains(rows, r => r.Algorithm == NoiseVectorSuite.OtherProtocols && r.Skipped > 900);
    }

    [Fact]
    public void A_changed_ciphertext_byte_makes_the_vector_fail()
    {
        var path = Cacophony();
        Assert.True(path is not null, "Noise vectors not found");
        using var document = JsonDocument.Parse(File.ReadAllText(path!));
        foreach (var vector in document.RootElement.GetProperty("vectors").EnumerateArray())
        {
            if (vector.GetProperty("protocol_name").GetString() != "Noise_XX_25519_ChaChaPoly_SHA256")
            {
                continue;
            }

            var json = vector.GetRawText();
            var ciphertext = vector.GetProperty("messages")[2].GetProperty("ciphertext").GetString()!;
            var flipped = (ciphertext[0] == '0' ? '1' : '0') + ciphertext[1..];
            using var tampered = JsonDocument.Parse(json.Replace(ciphertext, flipped, StringComparison.Ordinal));

            var failure = NoiseVectorReplay.Replay(tampered.RootElement, NoiseProtocol.XxChaChaPoly, AeadBackend.Sodium);

            Assert.NotNull(failure);
            return;
        }

        Assert.Fail("the XX ChaChaPoly vector is missing");
    }

    [Fact]
    public void Files_are_recognised_by_content()
    {
        using var noise = JsonDocument.Parse("""{"vectors":[{"protocol_name":"Noise_NN_25519_AESGCM_SHA256","messages":[]}]}""");
        using var wycheproof = JsonDocument.Parse("""{"algorithm":"AES-GCM","testGroups":[]}""");
        Assert.True(new NoiseVectorSuite().Recognises(noise.RootElement));
        Assert.False(new NoiseVectorSuite().Recognises(wycheproof.RootElement));
    }

    [Fact]
    public void A_malformed_supported_vector_is_a_format_error()
    {
        using var document = JsonDocument.Parse("""{"vectors":[{"protocol_name":"Noise_NN_25519_AESGCM_SHA256","init_prologue":"zz","resp_prologue":"","init_ephemeral":"","resp_ephemeral":"","messages":[]}]}""");
        Assert.Throws<FormatException>(() => new NoiseVectorSuite().Run("bad.json", document.RootElement));
    }
}
