namespace Perf.Vectors.Tests;

/// <summary>Where the shared vectors are, or a skip naming where they were looked for.</summary>
internal static class VectorFolder
{
    public static string Wycheproof => Path.Combine(Require(), "wycheproof");

    public static string Require()
    {
        var directory = VectorDirectory.Find(out var searched);
        Skip.If(directory is null, $"External test vectors not found at {searched}; set {VectorDirectory.EnvironmentVariable} to the vectors folder to run these tests.");
        return directory!;
    }
}
