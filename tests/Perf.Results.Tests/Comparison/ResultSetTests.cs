using Perf.Results.Comparison;
using Perf.Results.Files;
using Perf.Testing.Folders;
using Perf.Testing.Results;

namespace Perf.Results.Tests.Comparison;

public sealed class ResultSetTests : TempFolder
{
    [Fact]
    public void A_folder_yields_reports_and_results_and_ignores_other_json()
    {
        BenchmarkReportFixture.Write(Folder, "Aead", new BenchmarkReportFixture.Case("A.Seal", [1, 2, 3], 0), new BenchmarkReportFixture.Case("A.Open", [1, 2, 3], 0));
        BenchmarkReportFixture.Write(Path.Combine(Folder, "nested"), "Frame", new BenchmarkReportFixture.Case("F.Parse", [1], 0));
        ResultFile.Write(Path.Combine(Folder, "load.json"), ResultFixture.Load());
        File.WriteAllText(Path.Combine(Folder, "package.json"), "{\"name\":\"k6-scripts\"}");

        var set = ResultSet.Load(Folder);

        Assert.Equal(["A.Open", "A.Seal", "F.Parse"], set.Benchmarks.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("load relay-tcp libsodium/chacha20poly1305 256B 1000conn", Assert.Single(set.Loads.Keys));
    }

    [Fact]
    public void A_single_report_file_loads()
    {
        string path = BenchmarkReportFixture.Write(Folder, "Aead", new BenchmarkReportFixture.Case("A.Seal", [1, 2, 3], 0));

        Assert.Single(ResultSet.Load(path).Benchmarks);
    }

    [Fact]
    public void Missing_paths_empty_folders_and_duplicates_are_bad_input()
    {
        Assert.Contains("no such file or folder", Assert.Throws<BadInputException>(() => ResultSet.Load(Path.Combine(Folder, "nope"))).Message, StringComparison.Ordinal);
        Assert.Contains("no *-report-full.json", Assert.Throws<BadInputException>(() => ResultSet.Load(Folder)).Message, StringComparison.Ordinal);

        BenchmarkReportFixture.Write(Folder, "One", new BenchmarkReportFixture.Case("A.Seal", [1], 0));
        BenchmarkReportFixture.Write(Folder, "Two", new BenchmarkReportFixture.Case("A.Seal", [1], 0));
        Assert.Contains("appears twice", Assert.Throws<BadInputException>(() => ResultSet.Load(Folder)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_named_file_of_neither_kind_is_bad_input()
    {
        string path = Path.Combine(Folder, "other.json");
        File.WriteAllText(path, "{\"name\":\"x\"}");

        Assert.Throws<BadInputException>(() => ResultSet.Load(path));
    }
}
