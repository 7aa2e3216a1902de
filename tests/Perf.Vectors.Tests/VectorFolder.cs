namespace Perf.Vectors.Tests;

/// <summary>Where the repository's vectors are; missing vectors fail the test (they are part of the repository).</summary>
internal static class VectorFolder
{
    public static string Wycheproof => Path.Combine(Require(), "wycheproof");

    public static string Require()
    {
        var directory = VectorDirectory.Find(out var searched);
        Assert.True(directory is not null, $"Known-answer vectors not found at {searched}; they belong in the repository ({VectorDirectory.RelativeToRepoRoot}), or set {VectorDirectory.EnvironmentVariable}.");
        return directory!;
    }
}
