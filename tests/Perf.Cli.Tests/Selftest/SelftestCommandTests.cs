using System.Text.Json;
using System.Text.Json.Nodes;
using Perf.Testing.Folders;
using Perf.Vectors;

namespace Perf.Cli.Tests.Selftest;

public sealed class SelftestCommandTests
{
    private static readonly string[] RowKeys = ["file", "algorithm", "backend", "passed", "failed", "skipped"];

    [Fact]
    public async Task On_the_repository_vectors_it_exits_0_with_a_row_per_file_and_a_totals_line()
    {
        var vectors = SelftestRun.RequireVectors();

        var run = await SelftestRun.Of("selftest", "--vectors", vectors);

        Assert.Equal(PerfCommandLine.Ok, run.ExitCode);
        Assert.Equal("", run.Error);
        foreach (var file in Directory.GetFiles(Path.Combine(vectors, "wycheproof"), "*.json"))
        {
            Assert.Contains(Path.GetFileName(file), run.Output);
        }

        Assert.Matches(@"total: [1-9]\d* passed, 0 failed, \d+ skipped", run.Output);
    }

    [Fact]
    public async Task Without_vectors_option_it_finds_the_repository_vectors()
    {
        SelftestRun.RequireVectors();

        var run = await SelftestRun.Of("selftest");

        Assert.Equal(PerfCommandLine.Ok, run.ExitCode);
        Assert.Contains("aes_gcm_test.json", run.Output);
    }

    [Fact]
    public async Task With_json_it_prints_the_runners_rows_as_objects_with_exactly_six_keys()
    {
        var vectors = SelftestRun.RequireVectors();

        var run = await SelftestRun.Of("selftest", "--vectors", vectors, "--json");

        Assert.Equal(PerfCommandLine.Ok, run.ExitCode);
        var array = JsonNode.Parse(run.Output)!.AsArray();
        Assert.NotEmpty(array);
        Assert.All(array, row => Assert.Equal(RowKeys, row!.AsObject().Select(property => property.Key)));
        var parsed = array.Select(row => new VectorResultRow(
            (string)row!["file"]!, (string)row["algorithm"]!, (string)row["backend"]!, (int)row["passed"]!, (int)row["failed"]!, (int)row["skipped"]!));
        Assert.Equal(VectorRunner.RunDirectory(vectors), parsed);
    }

    [Fact]
    public async Task A_valid_aead_case_with_a_flipped_ciphertext_byte_exits_1_and_shows_the_failure()
    {
        var original = Path.Combine(SelftestRun.RequireVectors(), "wycheproof", "chacha20_poly1305_test.json");
        var root = JsonNode.Parse(File.ReadAllText(original))!;
        var victim = root["testGroups"]!.AsArray()
            .SelectMany(group => group!["tests"]!.AsArray())
            .First(test => (string)test!["result"]! == "valid" && ((string)test["ct"]!).Length > 0)!;
        var ciphertext = Convert.FromHexString((string)victim["ct"]!);
        ciphertext[0] ^= 0x01;
        victim["ct"] = Convert.ToHexStringLower(ciphertext);
        using var folder = new TempFolder();
        folder.Write("chacha20_poly1305_test.json", root.ToJsonString());

        var run = await SelftestRun.Of("selftest", "--vectors", folder.Folder, "--json");

        Assert.Equal(PerfCommandLine.Failed, run.ExitCode);
        var rows = JsonNode.Parse(run.Output)!.AsArray();
        Assert.All(rows, row => Assert.Equal(1, (int)row!["failed"]!));
    }

    [Fact]
    public async Task A_malformed_json_file_exits_2_naming_the_file_without_a_stack_trace()
    {
        using var folder = new TempFolder();
        folder.Write("half-written.json", """{"algorithm": "AES-GCM", "testGroups": [ {"type": "AeadTest", """);

        var run = await SelftestRun.Of("selftest", "--vectors", folder.Folder);

        Assert.Equal(PerfCommandLine.BadInput, run.ExitCode);
        Assert.Contains(Path.Combine(folder.Folder, "half-written.json"), run.Error);
        Assert.Contains("not valid JSON", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task A_recognised_file_with_a_missing_field_exits_2_naming_file_and_case()
    {
        using var folder = new TempFolder();
        folder.Write("mac.json", """{"algorithm":"HMACSHA256","testGroups":[{"type":"MacTest","tagSize":256,"tests":[{"tcId":3,"key":"00","msg":"","result":"valid"}]}]}""");

        var run = await SelftestRun.Of("selftest", "--vectors", folder.Folder);

        Assert.Equal(PerfCommandLine.BadInput, run.ExitCode);
        Assert.Contains("mac.json", run.Error);
        Assert.Contains("tcId 3: field 'tag' is missing", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task A_missing_folder_exits_2_naming_the_path_and_the_fix()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"perf-no-vectors-{Guid.NewGuid():N}");

        var run = await SelftestRun.Of("selftest", "--vectors", missing);

        Assert.Equal(PerfCommandLine.BadInput, run.ExitCode);
        Assert.Contains(missing, run.Error);
        Assert.Contains("--vectors", run.Error);
        Assert.Contains(VectorDirectory.EnvironmentVariable, run.Error);
    }

    [Fact]
    public async Task A_vectors_path_that_is_a_file_exits_2_saying_so()
    {
        using var folder = new TempFolder();
        var file = folder.Write("vectors.json", "[]");

        var run = await SelftestRun.Of("selftest", "--vectors", file);

        Assert.Equal(PerfCommandLine.BadInput, run.ExitCode);
        Assert.Contains($"'{file}' is a file, not a folder", run.Error);
    }

    [Fact]
    public async Task A_folder_without_vector_files_exits_2()
    {
        using var folder = new TempFolder();
        folder.Write("README.txt", "no vectors here");

        var run = await SelftestRun.Of("selftest", "--vectors", folder.Folder);

        Assert.Equal(PerfCommandLine.BadInput, run.ExitCode);
        Assert.Contains("no vector files", run.Error);
    }

    [Theory]
    [InlineData("selftest", "--frobnicate")]
    [InlineData("selftest", "--json=perhaps")]
    [InlineData("selftest", "--vectors")]
    [InlineData("no-such-command")]
    public async Task A_command_line_that_does_not_parse_exits_2_with_the_parsers_message(params string[] args)
    {
        var run = await SelftestRun.Of(args);

        Assert.Equal(PerfCommandLine.BadInput, run.ExitCode);
        Assert.StartsWith("perf: ", run.Error);
        Assert.Contains("--help", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task Help_for_selftest_exits_0_and_lists_its_options()
    {
        var run = await SelftestRun.Of("selftest", "--help");

        Assert.Equal(PerfCommandLine.Ok, run.ExitCode);
        Assert.Contains("--vectors", run.Output);
        Assert.Contains("--json", run.Output);
    }
}
