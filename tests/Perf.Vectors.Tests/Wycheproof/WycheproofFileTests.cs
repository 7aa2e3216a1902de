using System.Text.Json;
using System.Text.Json.Nodes;
using Perf.Testing.Folders;
using Relay.Crypto.Aead;
using Xunit.Abstractions;

namespace Perf.Vectors.Tests.Wycheproof;

public sealed class WycheproofFileTests(ITestOutputHelper output)
{
    public static TheoryData<string> Files() =>
    [
        "aes_gcm_test.json",
        "chacha20_poly1305_test.json",
        "xchacha20_poly1305_test.json",
        "x25519_test.json",
        "hkdf_sha256_test.json",
        "hmac_sha256_test.json",
    ];

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_case_passes_or_is_skipped_and_some_pass(string fileName)
    {
        var path = Path.Combine(VectorFolder.Wycheproof, fileName);

        var rows = VectorRunner.RunFile(path);

        foreach (var row in rows)
        {
            output.WriteLine($"{row.File} {row.Algorithm} {row.Backend}: {row.Passed} passed, {row.Failed} failed, {row.Skipped} skipped");
        }

        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.Equal(0, row.Failed));
        Assert.True(rows.Sum(row => row.Passed) > 0, $"no case of {fileName} passed");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_row_accounts_for_every_case_of_the_file(string fileName)
    {
        var path = Path.Combine(VectorFolder.Wycheproof, fileName);
        var cases = CountTests(JsonNode.Parse(File.ReadAllText(path))!);

        var rows = VectorRunner.RunFile(path);

        Assert.All(rows, row => Assert.Equal(cases, row.Passed + row.Failed + row.Skipped));
    }

    [Fact]
    public void Aead_files_get_one_row_per_concrete_backend_and_xchacha_is_skipped_on_openssl_and_libcrypto()
    {
        var path = Path.Combine(VectorFolder.Wycheproof, "xchacha20_poly1305_test.json");

        var rows = VectorRunner.RunFile(path);

        Assert.Equal(AeadBackend.Concrete.Select(backend => backend.Name), rows.Select(row => row.Backend));
        foreach (var without in new[] { AeadBackend.DotNet, AeadBackend.LibCrypto })
        {
            var row = Assert.Single(rows, row => row.Backend == without.Name);
            Assert.Equal((0, 0), (row.Passed, row.Failed));
        }

        Assert.True(rows.Single(row => row.Backend == AeadBackend.Sodium.Name).Passed > 0);
    }

    [SkippableTheory]
    [InlineData("aes_gcm_test.json")]
    [InlineData("chacha20_poly1305_test.json")]
    public void Libcrypto_passes_exactly_the_cases_the_other_backends_pass(string file)
    {
        Skip.IfNot(AeadBackend.LibCrypto.IsSupported(AeadAlgorithm.Aes256Gcm, out var reason), $"no usable libcrypto here: {reason}");

        var rows = VectorRunner.RunFile(Path.Combine(VectorFolder.Wycheproof, file));

        var libcrypto = rows.Single(row => row.Backend == AeadBackend.LibCrypto.Name);
        Assert.Equal(0, libcrypto.Failed);
        Assert.True(libcrypto.Passed > 0);
        Assert.All(rows, row => Assert.Equal((libcrypto.Passed, libcrypto.Failed, libcrypto.Skipped), (row.Passed, row.Failed, row.Skipped)));
    }

    [Fact]
    public void Aes_gcm_cases_with_128_or_192_bit_keys_are_skipped_on_every_backend()
    {
        var path = Path.Combine(VectorFolder.Wycheproof, "aes_gcm_test.json");
        var groups = JsonNode.Parse(File.ReadAllText(path))!["testGroups"]!.AsArray();
        var shortKeyCases = groups.Where(group => (int)group!["keySize"]! != 256).Sum(group => group!["tests"]!.AsArray().Count);

        var rows = VectorRunner.RunFile(path);

        Assert.True(shortKeyCases > 0);
        Assert.All(rows, row => Assert.True(row.Skipped >= shortKeyCases, $"{row.Backend}: {row.Skipped} skipped, {shortKeyCases} cases have short keys"));
    }

    // Each suite must be able to fail: corrupt the expected output of the first valid case.
    [Theory]
    [InlineData("chacha20_poly1305_test.json", "ct")]
    [InlineData("aes_gcm_test.json", "tag")]
    [InlineData("xchacha20_poly1305_test.json", "ct")]
    [InlineData("x25519_test.json", "shared")]
    [InlineData("hkdf_sha256_test.json", "okm")]
    [InlineData("hmac_sha256_test.json", "tag")]
    public void A_corrupted_valid_case_fails_on_every_backend_that_runs_it(string fileName, string field)
    {
        var original = Path.Combine(VectorFolder.Wycheproof, fileName);
        var root = JsonNode.Parse(File.ReadAllText(original))!;
        var target = root["testGroups"]!.AsArray()
            .Where(group => group!["keySize"] is null || (int)group["keySize"]! >= 256)
            .Where(group => group!["ivSize"] is null || (int)group["ivSize"]! is 96 or 192)
            .SelectMany(group => group!["tests"]!.AsArray())
            .First(test => (string)test!["result"]! == "valid" && ((string)test[field]!).Length > 0)!;
        target[field] = FlipFirstByte((string)target[field]!);
        using var folder = new TempFolder();
        var tampered = folder.Write(fileName, root.ToJsonString());

        var before = VectorRunner.RunFile(original);
        var after = VectorRunner.RunFile(tampered);

        foreach (var (clean, dirty) in before.Zip(after))
        {
            var ran = clean.Passed > 0;
            Assert.Equal(ran ? 1 : 0, dirty.Failed);
            Assert.Equal(clean.Passed - dirty.Failed, dirty.Passed);
        }

        Assert.Contains(after, row => row.Failed == 1);
    }

    private static int CountTests(JsonNode root) =>
        root["testGroups"]!.AsArray().Sum(group => group!["tests"]!.AsArray().Count);

    private static string FlipFirstByte(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        bytes[0] ^= 0x01;
        return Convert.ToHexStringLower(bytes);
    }
}
