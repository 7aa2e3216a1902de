namespace Perf.Testing.Folders;

/// <summary>
/// A fresh folder under the system temporary path, deleted on dispose: used directly
/// (<c>using var folder = new TempFolder();</c>) or as the base of a test class, which then gets
/// one per test.
/// </summary>
public class TempFolder : IDisposable
{
    /// <summary>Creates the folder.</summary>
    public TempFolder() => Folder = Directory.CreateTempSubdirectory("perf-tests-").FullName;

    /// <summary>The folder's full path.</summary>
    public string Folder { get; }

    /// <summary>Writes <paramref name="content"/> to <paramref name="name"/> (a relative path; its folders are created); returns the full path.</summary>
    public string Write(string name, string content)
    {
        var path = Prepare(name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="name"/> in the folder; returns the full path.</summary>
    public string Copy(string source, string name)
    {
        var path = Prepare(name);
        File.Copy(source, path);
        return path;
    }

    /// <summary>Deletes the folder and everything in it.</summary>
    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }

    private string Prepare(string name)
    {
        var path = Path.Combine(Folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
