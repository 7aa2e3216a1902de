namespace Perf.Fuzz.Tests;

/// <summary>
/// The harnesses and their committed corpus, checked without afl-fuzz: every seed keeps its
/// target's contract, and the corpus is what the real writers produce today, so a format change
/// cannot leave fuzz/run fuzzing stale inputs (regenerate with <c>fuzz/run --seeds</c>).
/// </summary>
public sealed class CorpusTests
{
    private static readonly string FuzzDirectory = FindFuzzDirectory();

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_committed_seed_keeps_the_targets_contract(string name)
    {
        var folder = Path.Combine(FuzzDirectory, "corpus", name);
        var output = new StringWriter();
        Assert.NotEmpty(Directory.GetFiles(folder));
        Assert.True(CorpusFiles.Replay(FuzzTargets.Find(name), [folder], output), output.ToString());
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void The_committed_corpus_is_what_the_writers_write_now(string name)
    {
        var fresh = Directory.CreateTempSubdirectory("fuzz-seeds-");
        try
        {
            CorpusFiles.WriteSeeds(FuzzTargets.Find(name), fresh.FullName);
            foreach (var file in Directory.GetFiles(fresh.FullName, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(fresh.FullName, file);
                var committed = Path.Combine(FuzzDirectory, relative);
                Assert.True(File.Exists(committed) && File.ReadAllBytes(committed).AsSpan().SequenceEqual(File.ReadAllBytes(file)), $"fuzz/{relative} is missing or not what the writers make now: run fuzz/run --seeds");
            }

            var expected = Directory.GetFiles(Path.Combine(fresh.FullName, "corpus", name)).Select(Path.GetFileName).Order(StringComparer.Ordinal);
            var actual = Directory.GetFiles(Path.Combine(FuzzDirectory, "corpus", name)).Select(Path.GetFileName).Order(StringComparer.Ordinal);
            Assert.Equal(expected, actual);
        }
        finally
        {
            fresh.Delete(recursive: true);
        }
    }

    [Fact]
    public void Every_corpus_folder_belongs_to_a_target()
    {
        var folders = Directory.GetDirectories(Path.Combine(FuzzDirectory, "corpus")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(FuzzTargets.All.Select(t => t.Name).Order(StringComparer.Ordinal), folders);
    }

    [Fact]
    public void Unknown_targets_are_refused_by_name() =>
        Assert.Contains("relay-frame", Assert.Throws<ArgumentException>(() => FuzzTargets.Find("nope")).Message, StringComparison.Ordinal);

    private static string FindFuzzDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Perf.sln")))
            {
                return Path.Combine(directory.FullName, "fuzz");
            }
        }

        throw new DirectoryNotFoundException("Perf.sln not found above " + AppContext.BaseDirectory);
    }
}
