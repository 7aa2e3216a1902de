namespace Perf.Vectors;

/// <summary>
/// Finds the known-answer vectors: the folder named by <c>PERF_VECTORS_DIR</c> when set,
/// otherwise the repository's own copies in <c>tests/vectors</c> under the repository root (the
/// folder holding <c>Perf.sln</c>), searched upwards from the current directory and from the
/// running assembly, so a fresh clone needs nothing beside it.
/// </summary>
public static class VectorDirectory
{
    /// <summary>The environment variable that overrides the search.</summary>
    public const string EnvironmentVariable = "PERF_VECTORS_DIR";

    /// <summary>The path relative to the repository root where vectors live by default.</summary>
    public const string RelativeToRepoRoot = "tests/vectors";

    /// <summary>The vectors folder, or <c>null</c> when none exists; <paramref name="searched"/> names what was tried, for skip messages.</summary>
    public static string? Find(out string searched)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            searched = Path.GetFullPath(fromEnvironment);
            return Directory.Exists(searched) ? searched : null;
        }

        var root = FindRepoRoot();
        searched = root is null
            ? $"{RelativeToRepoRoot} under the repository root (no Perf.sln found above {Directory.GetCurrentDirectory()})"
            : Path.GetFullPath(Path.Combine(root, RelativeToRepoRoot));
        return root is not null && Directory.Exists(searched) ? searched : null;
    }

    /// <summary>The folder holding <c>Perf.sln</c>, searched upwards from the current directory, then from the running assembly; <c>null</c> if neither has one.</summary>
    public static string? FindRepoRoot() =>
        SearchUp(Directory.GetCurrentDirectory()) ?? SearchUp(AppContext.BaseDirectory);

    private static string? SearchUp(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Perf.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
