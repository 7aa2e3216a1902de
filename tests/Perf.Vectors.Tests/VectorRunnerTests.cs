using Perf.Testing.Folders;

namespace Perf.Vectors.Tests;

public sealed class VectorRunnerTests
{
    [Fact]
    public void A_file_is_recognised_by_its_content_not_its_name()
    {
        var original = Path.Combine(VectorFolder.Wycheproof, "hmac_sha256_test.json");
        using var folder = new TempFolder();
        folder.Copy(original, Path.Combine("nested", "Not A Mac (really).txt"));

        var rows = VectorRunner.RunDirectory(folder.Folder);

        var row = Assert.Single(rows);
        Assert.Equal(("Not A Mac (really).txt", "HMACSHA256", Relay.Crypto.Kdf.HmacSha256.Implementation, 0), (row.File, row.Algorithm, row.Backend, row.Failed));
        Assert.True(row.Passed > 0);
    }

    [Fact]
    public void A_file_no_suite_knows_is_one_row_with_every_case_skipped()
    {
        using var folder = new TempFolder();
        folder.Write("future.json", """{"algorithm":"FROBNICATE-512","testGroups":[{"type":"FrobTest","tests":[{"tcId":1},{"tcId":2},{"tcId":3}]}]}""");
        folder.Write("other.json", """{"vectors":[{},{}]}""");

        var rows = VectorRunner.RunDirectory(folder.Folder);

        Assert.Equal(
            [new VectorResultRow("future.json", "FROBNICATE-512", "-", 0, 0, 3), new VectorResultRow("other.json", "unknown", "-", 0, 0, 2)],
            rows);
    }

    [Fact]
    public void A_known_algorithm_with_an_unknown_group_type_is_not_claimed_by_a_suite()
    {
        using var folder = new TempFolder();
        folder.Write("odd.json", """{"algorithm":"AES-GCM","testGroups":[{"type":"AeadStreamTest","tests":[{"tcId":1}]}]}""");

        var row = Assert.Single(VectorRunner.RunDirectory(folder.Folder));

        Assert.Equal(new VectorResultRow("odd.json", "AES-GCM", "-", 0, 0, 1), row);
    }

    [Fact]
    public void Xdh_cases_on_a_curve_other_than_curve25519_are_skipped_on_no_backend()
    {
        using var folder = new TempFolder();
        folder.Write("x448.json", """{"algorithm":"XDH","testGroups":[{"type":"XdhComp","curve":"curve448","tests":[{"tcId":1,"public":"00","private":"00","shared":"00","result":"valid"}]}]}""");

        var row = Assert.Single(VectorRunner.RunDirectory(folder.Folder));

        Assert.Equal(new VectorResultRow("x448.json", "XDH/curve448", "-", 0, 0, 1), row);
    }

    [Fact]
    public void A_txt_file_that_holds_no_json_is_not_a_vector_file()
    {
        using var folder = new TempFolder();
        folder.Write("notes.txt", "These are notes, not vectors.");
        folder.Write("data.csv", "{ \"not\": \"looked at\" }");

        Assert.Empty(VectorRunner.RunDirectory(folder.Folder));
    }

    [Theory]
    [InlineData("broken.json", """{"algorithm": "AES-GCM", "testGroups": [""")]
    [InlineData("broken.txt", """{"vectors": [ {"protocol_name": "Noise_XX" ]}""")]
    [InlineData("empty.json", "")]
    public void Malformed_json_throws_a_format_error_naming_the_file(string name, string content)
    {
        using var folder = new TempFolder();
        var path = folder.Write(name, content);

        var error = Assert.Throws<VectorFormatException>(() => VectorRunner.RunDirectory(folder.Folder));

        Assert.Equal(path, error.FilePath);
        Assert.Contains(name, error.Message);
        Assert.Contains("not valid JSON", error.Message);
    }

    [Theory]
    [InlineData("""{"tcId": 7, "key": "zz", "iv": "00", "aad": "", "msg": "", "ct": "", "tag": "", "result": "valid"}""", "tcId 7: field 'key' is not hex")]
    [InlineData("""{"tcId": 8, "iv": "00", "aad": "", "msg": "", "ct": "", "tag": "", "result": "valid"}""", "tcId 8: field 'key' is missing")]
    [InlineData("""{"tcId": 9, "key": "00", "iv": "00", "aad": "", "msg": "", "ct": "", "tag": "", "result": "maybe"}""", "tcId 9: 'result' is 'maybe'")]
    public void A_recognised_file_with_a_malformed_case_throws_a_format_error_naming_file_and_case(string test, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.Write("aead.json", $$"""{"algorithm":"CHACHA20-POLY1305","testGroups":[{"type":"AeadTest","tests":[{{test}}]}]}""");

        var error = Assert.Throws<VectorFormatException>(() => VectorRunner.RunDirectory(folder.Folder));

        Assert.Equal(path, error.FilePath);
        Assert.StartsWith(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_hostile_hkdf_size_is_a_format_error_not_a_huge_allocation()
    {
        using var folder = new TempFolder();
        folder.Write("hkdf.json", """{"algorithm":"HKDF-SHA-256","testGroups":[{"type":"HkdfTest","tests":[{"tcId":1,"ikm":"00","salt":"","info":"","size":2000000000,"okm":"","result":"invalid"}]}]}""");

        var error = Assert.Throws<VectorFormatException>(() => VectorRunner.RunDirectory(folder.Folder));

        Assert.Contains("'size' 2000000000", error.Message);
    }

    [Fact]
    public void A_missing_folder_is_reported_with_its_path()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"perf-no-such-folder-{Guid.NewGuid():N}");

        var error = Assert.Throws<DirectoryNotFoundException>(() => VectorRunner.RunDirectory(missing));

        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void The_repository_vectors_run_every_wycheproof_file_with_no_failures()
    {
        var rows = VectorRunner.RunDirectory(VectorFolder.Require());

        var wycheproofFiles = Directory.GetFiles(VectorFolder.Wycheproof, "*.json").Select(Path.GetFileName).ToHashSet();
        Assert.Subset(rows.Select(row => row.File).ToHashSet(), wycheproofFiles!);
        Assert.All(rows, row => Assert.Equal(0, row.Failed));
    }
}
