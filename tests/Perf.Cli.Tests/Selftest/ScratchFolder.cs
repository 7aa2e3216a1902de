namespace Perf.Cli.Tests.Selftest;

/// <summary>A vectors folder built by a test under the temp path, deleted on dispose.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("perf-selftest-").FullName;

    public string Add(string name, string content)
    {
        var target = System.IO.Path.Combine(Path, name);
        File.WriteAllText(target, content);
        return target;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
