namespace Perf.Vectors.Tests;

/// <summary>A fresh folder under the system temp path, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("perf-vectors-").FullName;

    public string Write(string name, string content)
    {
        var path = Prepare(name);
        File.WriteAllText(path, content);
        return path;
    }

    public string Copy(string source, string name)
    {
        var path = Prepare(name);
        File.Copy(source, path);
        return path;
    }

    private string Prepare(string name)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
